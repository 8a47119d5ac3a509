//go:build amd64 && !purego

#include "textflag.h"

// Vectorised exp, sigmoid and tanh for float32 (AVX-512F), 16 lanes per
// step. See vmath.go for the accuracy contract.
//
// exp(z): z clamped to [-104, 89] (NaN passes), k = round(z·log2e),
// r = z - k·ln2 (two-part ln2), e**r by a degree-7 Taylor polynomial,
// then ·2**k with VSCALEFPS (which overflows to +Inf and underflows to
// subnormals/0 correctly).

#define CONST(bits, reg) MOVL $bits, AX; VPBROADCASTD AX, reg

// Input z in Z0, output e**z in Z3; clobbers Z1, Z2.
#define EXPCORE \
	VMAXPS      Z0, Z18, Z0; \
	VMINPS      Z0, Z19, Z0; \
	VMULPS      Z31, Z0, Z1; \
	VRNDSCALEPS $0, Z1, Z1; \
	VMOVAPS     Z0, Z2; \
	VFMADD231PS Z30, Z1, Z2; \
	VFMADD231PS Z29, Z1, Z2; \
	VMOVAPS     Z28, Z3; \
	VFMADD213PS Z27, Z2, Z3; \
	VFMADD213PS Z26, Z2, Z3; \
	VFMADD213PS Z25, Z2, Z3; \
	VFMADD213PS Z24, Z2, Z3; \
	VFMADD213PS Z23, Z2, Z3; \
	VFMADD213PS Z20, Z2, Z3; \
	VFMADD213PS Z20, Z2, Z3; \
	VSCALEFPS   Z1, Z3, Z3

// func vmathAVX512(dst, src *float32, n int, mode int)
// n is a multiple of 16; mode 0 = exp, 1 = sigmoid, 2 = tanh.
TEXT ·vmathAVX512(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ mode+24(FP), DX
	CONST(0x3fb8aa3b, Z31) // log2(e)
	CONST(0xbf317200, Z30) // -ln2 high part (0.693145751953125)
	CONST(0xb5bfbe8e, Z29) // -ln2 low part (1.428606765330187e-06)
	CONST(0x39500d01, Z28) // 1/5040
	CONST(0x3ab60b61, Z27) // 1/720
	CONST(0x3c088889, Z26) // 1/120
	CONST(0x3d2aaaab, Z25) // 1/24
	CONST(0x3e2aaaab, Z24) // 1/6
	CONST(0x3f000000, Z23) // 1/2
	CONST(0x3f800000, Z20) // 1
	CONST(0x42b20000, Z19) // 89
	CONST(0xc2d00000, Z18) // -104
	CONST(0x7fffffff, Z16) // abs mask
	CONST(0x80000000, Z9)  // sign mask
	CONST(0xbeaaaaab, Z15) // -1/3
	CONST(0x3e088889, Z14) // 2/15
	CONST(0xbd5d0dd1, Z13) // -17/315
	CONST(0x3cb327a4, Z12) // 62/2835
	CONST(0xbc11371b, Z11) // -1382/155925
	CONST(0x3e99999a, Z10) // 0.3
	VPXORD Z17, Z17, Z17   // 0
	SHRQ   $4, CX
	JZ     done
	CMPQ DX, $1
	JEQ  sigloop
	CMPQ DX, $2
	JEQ  tanhloop
	CMPQ DX, $3
	JGE  gelu

exploop:
	VMOVUPS (SI), Z0
	EXPCORE
	VMOVUPS Z3, (DI)
	ADDQ    $64, SI
	ADDQ    $64, DI
	DECQ    CX
	JNZ     exploop
	JMP     done

sigloop:
	// e = exp(-|x|); σ(x) = 1/(1+e) for x ≥ 0, e/(1+e) for x < 0 (so
	// that subnormal results below -88.7 are not flushed to 0).
	VMOVUPS (SI), Z4
	VPANDD  Z16, Z4, Z5
	VPXORD  Z9, Z5, Z0
	EXPCORE
	VADDPS  Z20, Z3, Z6
	VMOVAPS Z20, Z7
	VCMPPS  $1, Z17, Z4, K2
	VMOVAPS Z3, K2, Z7
	VDIVPS  Z6, Z7, Z3
	VMOVUPS Z3, (DI)
	ADDQ    $64, SI
	ADDQ    $64, DI
	DECQ    CX
	JNZ     sigloop
	JMP     done

tanhloop:
	// tanh(x) = sign(x)·(1-e)/(1+e), e = exp(-2|x|); |x| < 0.3: odd Taylor series.
	VMOVUPS     (SI), Z4
	VPANDD      Z16, Z4, Z5
	VADDPS      Z5, Z5, Z0
	VPXORD      Z9, Z0, Z0
	EXPCORE
	VSUBPS      Z3, Z20, Z6
	VADDPS      Z20, Z3, Z3
	VDIVPS      Z3, Z6, Z6
	VPANDD      Z9, Z4, Z7
	VPORD       Z7, Z6, Z6
	VMULPS      Z4, Z4, Z7
	VMOVAPS     Z11, Z8
	VFMADD213PS Z12, Z7, Z8
	VFMADD213PS Z13, Z7, Z8
	VFMADD213PS Z14, Z7, Z8
	VFMADD213PS Z15, Z7, Z8
	VMULPS      Z7, Z8, Z8
	VFMADD213PS Z4, Z4, Z8
	VCMPPS      $1, Z10, Z5, K1
	VMOVAPS     Z8, K1, Z6
	VMOVUPS     Z6, (DI)
	ADDQ        $64, SI
	ADDQ        $64, DI
	DECQ        CX
	JNZ         tanhloop
	JMP         done

gelu:
	// GELU(x) = x·Φ(x), Φ(x) = ½(1 + erf(x/√2)), erf by Abramowitz–Stegun
	// 7.1.26 (the form PyTorch's vectorised CPU GELU uses): with
	// z = |x|/√2, t = 1/(1+p·z), h = ½·t·P(t)·e**(-z²) is Φ(-|x|), so
	// Φ(x) = h for x < 0 and 1-h otherwise (no cancellation for x < 0).
	// Mode 3 stores x·Φ(x); mode 4 the derivative Φ(x) + x·φ(x), with
	// φ(x) = e**(-z²)/√(2π).
	CONST(0x3f3504f3, Z10) // 1/√2
	CONST(0x3ea7ba05, Z11) // p
	CONST(0x3f87dc22, Z12) // a5
	CONST(0xbfba00e3, Z13) // a4
	CONST(0x3fb5f0e3, Z14) // a3
	CONST(0xbe91a98e, Z15) // a2
	CONST(0x3e827906, Z21) // a1
	CONST(0x3ecc422a, Z22) // 1/√(2π)

geluloop:
	VMOVUPS     (SI), Z4
	VPANDD      Z16, Z4, Z5
	VMULPS      Z10, Z5, Z5
	VMOVAPS     Z20, Z6
	VFMADD231PS Z11, Z5, Z6
	VDIVPS      Z6, Z20, Z6
	VMOVAPS     Z12, Z7
	VFMADD213PS Z13, Z6, Z7
	VFMADD213PS Z14, Z6, Z7
	VFMADD213PS Z15, Z6, Z7
	VFMADD213PS Z21, Z6, Z7
	VMULPS      Z6, Z7, Z7
	VMULPS      Z5, Z5, Z0
	VPXORD      Z9, Z0, Z0
	EXPCORE
	VMULPS      Z3, Z7, Z8
	VMULPS      Z23, Z8, Z8
	VSUBPS      Z8, Z20, Z6
	VCMPPS      $1, Z17, Z4, K2
	VMOVAPS     Z8, K2, Z6
	CMPQ        DX, $3
	JNE         geluderiv
	VMULPS      Z4, Z6, Z6
	VMOVUPS     Z6, (DI)
	JMP         gelunext

geluderiv:
	VMULPS      Z22, Z3, Z3
	VFMADD231PS Z4, Z3, Z6
	VMOVUPS     Z6, (DI)

gelunext:
	ADDQ $64, SI
	ADDQ $64, DI
	DECQ CX
	JNZ  geluloop

done:
	VZEROUPPER
	RET
