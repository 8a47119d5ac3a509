//go:build amd64 && !purego

#include "textflag.h"

// LayerNorm row kernels (ln.go), AVX-512F, 16 float32 lanes a step; the
// float64 sums keep two 8-lane accumulators and reduce them at the end.

// Reduce the 8 doubles of Z0 into X0's low lane; clobbers Z1.
#define HSUMPD \
	VEXTRACTF64X4 $1, Z0, Y1; \
	VADDPD        Y1, Y0, Y0; \
	VEXTRACTF128  $1, Y0, X1; \
	VADDPD        X1, X0, X0; \
	VUNPCKHPD     X0, X0, X1; \
	VADDSD        X1, X0, X0

// func lnSumAVX512(src *float32, n int) float64
TEXT ·lnSumAVX512(SB), NOSPLIT, $0-24
	MOVQ   src+0(FP), SI
	MOVQ   n+8(FP), CX
	VXORPD Z0, Z0, Z0
	VXORPD Z2, Z2, Z2

sumloop:
	VCVTPS2PD (SI), Z4
	VCVTPS2PD 32(SI), Z5
	VADDPD    Z4, Z0, Z0
	VADDPD    Z5, Z2, Z2
	ADDQ      $64, SI
	SUBQ      $16, CX
	JNZ       sumloop

	VADDPD Z2, Z0, Z0
	HSUMPD
	VZEROUPPER
	MOVSD  X0, ret+16(FP)
	RET

// func lnSqDevAVX512(src *float32, n int, mean float64) float64
TEXT ·lnSqDevAVX512(SB), NOSPLIT, $0-32
	MOVQ         src+0(FP), SI
	MOVQ         n+8(FP), CX
	VBROADCASTSD mean+16(FP), Z8
	VXORPD       Z0, Z0, Z0
	VXORPD       Z2, Z2, Z2

sqloop:
	VCVTPS2PD   (SI), Z4
	VCVTPS2PD   32(SI), Z5
	VSUBPD      Z8, Z4, Z4
	VSUBPD      Z8, Z5, Z5
	VFMADD231PD Z4, Z4, Z0
	VFMADD231PD Z5, Z5, Z2
	ADDQ        $64, SI
	SUBQ        $16, CX
	JNZ         sqloop

	VADDPD Z2, Z0, Z0
	HSUMPD
	VZEROUPPER
	MOVSD  X0, ret+24(FP)
	RET

// func lnAffineAVX512(o, x, w, b *float32, n int, mean, inv float32)
TEXT ·lnAffineAVX512(SB), NOSPLIT, $0-48
	MOVQ         o+0(FP), DI
	MOVQ         x+8(FP), SI
	MOVQ         w+16(FP), R8
	MOVQ         b+24(FP), R9
	MOVQ         n+32(FP), CX
	VBROADCASTSS mean+40(FP), Z8
	VBROADCASTSS inv+44(FP), Z9
	XORQ         AX, AX

affloop:
	VMOVUPS     (SI)(AX*4), Z0
	VSUBPS      Z8, Z0, Z0
	VMULPS      Z9, Z0, Z0
	VMOVUPS     (R8)(AX*4), Z1
	VFMADD213PS (R9)(AX*4), Z1, Z0
	VMOVUPS     Z0, (DI)(AX*4)
	ADDQ        $16, AX
	CMPQ        AX, CX
	JLT         affloop

	VZEROUPPER
	RET

// func lnBackAccAVX512(pw, pb, gy, x, w *float32, n int, mean, inv float32) (sh, shx float64)
TEXT ·lnBackAccAVX512(SB), NOSPLIT, $0-72
	MOVQ         pw+0(FP), DI
	MOVQ         pb+8(FP), DX
	MOVQ         gy+16(FP), SI
	MOVQ         x+24(FP), R8
	MOVQ         w+32(FP), R9
	MOVQ         n+40(FP), CX
	VBROADCASTSS mean+48(FP), Z14
	VBROADCASTSS inv+52(FP), Z15
	VXORPD       Z10, Z10, Z10
	VXORPD       Z11, Z11, Z11
	VXORPD       Z12, Z12, Z12
	VXORPD       Z13, Z13, Z13
	XORQ         AX, AX

accloop:
	VMOVUPS       (R8)(AX*4), Z0
	VSUBPS        Z14, Z0, Z0
	VMULPS        Z15, Z0, Z0
	VMOVUPS       (SI)(AX*4), Z1
	VMOVUPS       (DI)(AX*4), Z2
	VFMADD231PS   Z0, Z1, Z2
	VMOVUPS       Z2, (DI)(AX*4)
	VADDPS        (DX)(AX*4), Z1, Z3
	VMOVUPS       Z3, (DX)(AX*4)
	VMULPS        (R9)(AX*4), Z1, Z4
	VCVTPS2PD     Y4, Z5
	VEXTRACTF64X4 $1, Z4, Y6
	VCVTPS2PD     Y6, Z6
	VCVTPS2PD     Y0, Z7
	VEXTRACTF64X4 $1, Z0, Y8
	VCVTPS2PD     Y8, Z8
	VADDPD        Z5, Z10, Z10
	VADDPD        Z6, Z11, Z11
	VFMADD231PD   Z7, Z5, Z12
	VFMADD231PD   Z8, Z6, Z13
	ADDQ          $16, AX
	CMPQ          AX, CX
	JLT           accloop

	VADDPD Z11, Z10, Z0
	HSUMPD
	MOVSD  X0, sh+56(FP)
	VADDPD Z13, Z12, Z0
	HSUMPD
	MOVSD  X0, shx+64(FP)
	VZEROUPPER
	RET

// func lnBackDxAVX512(dx, gy, x, w *float32, n int, mean, inv, s1, s2 float32, accumulate bool)
TEXT ·lnBackDxAVX512(SB), NOSPLIT, $0-57
	MOVQ         dx+0(FP), DI
	MOVQ         gy+8(FP), SI
	MOVQ         x+16(FP), R8
	MOVQ         w+24(FP), R9
	MOVQ         n+32(FP), CX
	VBROADCASTSS mean+40(FP), Z14
	VBROADCASTSS inv+44(FP), Z15
	VBROADCASTSS s1+48(FP), Z12
	VBROADCASTSS s2+52(FP), Z13
	MOVBLZX      accumulate+56(FP), BX
	XORQ         AX, AX
	TESTQ        BX, BX
	JNZ          dxadd

dxset:
	VMOVUPS      (R8)(AX*4), Z0
	VSUBPS       Z14, Z0, Z0
	VMULPS       Z15, Z0, Z0
	VMOVUPS      (SI)(AX*4), Z1
	VMULPS       (R9)(AX*4), Z1, Z1
	VSUBPS       Z12, Z1, Z1
	VFNMADD231PS Z13, Z0, Z1
	VMULPS       Z15, Z1, Z1
	VMOVUPS      Z1, (DI)(AX*4)
	ADDQ         $16, AX
	CMPQ         AX, CX
	JLT          dxset
	VZEROUPPER
	RET

dxadd:
	VMOVUPS      (R8)(AX*4), Z0
	VSUBPS       Z14, Z0, Z0
	VMULPS       Z15, Z0, Z0
	VMOVUPS      (SI)(AX*4), Z1
	VMULPS       (R9)(AX*4), Z1, Z1
	VSUBPS       Z12, Z1, Z1
	VFNMADD231PS Z13, Z0, Z1
	VMULPS       Z15, Z1, Z1
	VADDPS       (DI)(AX*4), Z1, Z1
	VMOVUPS      Z1, (DI)(AX*4)
	ADDQ         $16, AX
	CMPQ         AX, CX
	JLT          dxadd
	VZEROUPPER
	RET
