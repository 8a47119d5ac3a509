package kernels

import "unsafe"

// genericKernel is the portable path: a 4×4 pure-Go micro-kernel whose 16
// accumulators fit the FP register file of amd64 and arm64.
var genericKernel = kernel{path: PathGeneric, mr: 4, nr: 4, kc: 256, mc: 64, nc: 2048, fn: kernel4x4Generic}

// kernel4x4Generic is the pure-Go micro-kernel; see kernelFunc.
func kernel4x4Generic(kc int, a *float32, rsa, csa int, b, c *float32, ldc int, ep *epilogue) {
	if kc == 0 {
		return // never called so by the driver
	}
	pa := unsafe.Slice(a, 3*rsa+(kc-1)*csa+1)
	pb := unsafe.Slice(b, 4*kc)
	var c00, c01, c02, c03 float32
	var c10, c11, c12, c13 float32
	var c20, c21, c22, c23 float32
	var c30, c31, c32, c33 float32
	for p := 0; p < kc; p++ {
		o := p * csa
		a0, a1, a2, a3 := pa[o], pa[o+rsa], pa[o+2*rsa], pa[o+3*rsa]
		bv := pb[4*p : 4*p+4 : 4*p+4]
		b0, b1, b2, b3 := bv[0], bv[1], bv[2], bv[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
	}
	acc := [16]float32{
		c00, c01, c02, c03,
		c10, c11, c12, c13,
		c20, c21, c22, c23,
		c30, c31, c32, c33,
	}
	cs := unsafe.Slice(c, 3*ldc+4)
	var bias []float32
	if ep.flags&epBias != 0 {
		bias = unsafe.Slice(ep.bias, 4)
	}
	for i := 0; i < 4; i++ {
		row := cs[i*ldc : i*ldc+4 : i*ldc+4]
		for j := 0; j < 4; j++ {
			v := ep.alpha * acc[4*i+j]
			if ep.flags&epBeta != 0 {
				v += ep.beta * row[j]
			}
			if bias != nil {
				v += bias[j]
			}
			if ep.flags&epReLU != 0 && v < 0 {
				v = 0
			}
			row[j] = v
		}
	}
}
