//go:build amd64 && !purego

#include "textflag.h"

// Row kernels for softmax reductions (softmax.go), AVX-512F/DQ, 16 lanes
// per step. The exponential is vmath_amd64.s's (same constants and
// steps), so results match kernels.Exp element for element.

#define CONST(bits, reg) MOVL $bits, AX; VPBROADCASTD AX, reg

#define EXPCONSTS \
	CONST(0x3fb8aa3b, Z31); \
	CONST(0xbf317200, Z30); \
	CONST(0xb5bfbe8e, Z29); \
	CONST(0x39500d01, Z28); \
	CONST(0x3ab60b61, Z27); \
	CONST(0x3c088889, Z26); \
	CONST(0x3d2aaaab, Z25); \
	CONST(0x3e2aaaab, Z24); \
	CONST(0x3f000000, Z23); \
	CONST(0x3f800000, Z20); \
	CONST(0x42b20000, Z19); \
	CONST(0xc2d00000, Z18)

// Input z in Z0, output e**z in Z3; clobbers Z1, Z2 (see vmath_amd64.s).
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

// func maxAVX512(src *float32, n int) float32
// Four accumulators over 64 floats a step, then 16 at a time. VMAXPS with
// the accumulator as its second source (Intel order) keeps it when the
// input is NaN; accumulators start at -Inf and never become NaN.
TEXT ·maxAVX512(SB), NOSPLIT, $0-20
	MOVQ         src+0(FP), SI
	MOVQ         n+8(FP), CX
	MOVL         $0xff800000, AX
	VPBROADCASTD AX, Z0
	VMOVAPS      Z0, Z1
	VMOVAPS      Z0, Z2
	VMOVAPS      Z0, Z3
	MOVQ         CX, BX
	SHRQ         $6, BX
	JZ           max16

max64:
	VMOVUPS (SI), Z4
	VMOVUPS 64(SI), Z5
	VMOVUPS 128(SI), Z6
	VMOVUPS 192(SI), Z7
	VMAXPS  Z0, Z4, Z0
	VMAXPS  Z1, Z5, Z1
	VMAXPS  Z2, Z6, Z2
	VMAXPS  Z3, Z7, Z3
	ADDQ   $256, SI
	DECQ   BX
	JNZ    max64

max16:
	ANDQ $63, CX
	SHRQ $4, CX
	JZ   maxred

max16loop:
	VMOVUPS (SI), Z4
	VMAXPS  Z0, Z4, Z0
	ADDQ   $64, SI
	DECQ   CX
	JNZ    max16loop

maxred:
	VMAXPS        Z1, Z0, Z0
	VMAXPS        Z3, Z2, Z2
	VMAXPS        Z2, Z0, Z0
	VEXTRACTF32X8 $1, Z0, Y1
	VMAXPS        Y1, Y0, Y0
	VEXTRACTF128  $1, Y0, X1
	VMAXPS        X1, X0, X0
	VPERMILPS     $0x4e, X0, X1
	VMAXPS        X1, X0, X0
	VPERMILPS     $0xb1, X0, X1
	VMAXPS        X1, X0, X0
	VZEROUPPER
	MOVSS         X0, ret+16(FP)
	RET

// Adds the 16 floats of Z3 to the float64 accumulators Z6 (low 8) and Z7
// (high 8); clobbers Z4, Z5.
#define ACC64 \
	VCVTPS2PD     Y3, Z4; \
	VEXTRACTF32X8 $1, Z3, Y5; \
	VCVTPS2PD     Y5, Z5; \
	VADDPD        Z4, Z6, Z6; \
	VADDPD        Z5, Z7, Z7

// func expShiftSumAVX512(dst, src *float32, n int, shift float32) float64
TEXT ·expShiftSumAVX512(SB), NOSPLIT, $0-40
	MOVQ         dst+0(FP), DI
	MOVQ         src+8(FP), SI
	MOVQ         n+16(FP), CX
	MOVL         shift+24(FP), AX
	VPBROADCASTD AX, Z8
	EXPCONSTS
	VPXORD       Z6, Z6, Z6
	VPXORD       Z7, Z7, Z7
	SHRQ         $4, CX
	JZ           sumred
	TESTQ        DI, DI
	JZ           sumonly

sumstore:
	VMOVUPS (SI), Z0
	VSUBPS  Z8, Z0, Z0
	EXPCORE
	VMOVUPS Z3, (DI)
	ACC64
	ADDQ    $64, SI
	ADDQ    $64, DI
	DECQ    CX
	JNZ     sumstore
	JMP     sumred

sumonly:
	VMOVUPS (SI), Z0
	VSUBPS  Z8, Z0, Z0
	EXPCORE
	ACC64
	ADDQ    $64, SI
	DECQ    CX
	JNZ     sumonly

sumred:
	VADDPD        Z7, Z6, Z6
	VEXTRACTF64X4 $1, Z6, Y4
	VADDPD        Y4, Y6, Y6
	VEXTRACTF128  $1, Y6, X4
	VADDPD        X4, X6, X6
	VPERMILPD     $1, X6, X4
	VADDSD        X4, X6, X6
	VZEROUPPER
	MOVSD         X6, ret+32(FP)
	RET

// func expShiftScaleAVX512(dst, src *float32, n int, shift, scale float32)
TEXT ·expShiftScaleAVX512(SB), NOSPLIT, $0-32
	MOVQ         dst+0(FP), DI
	MOVQ         src+8(FP), SI
	MOVQ         n+16(FP), CX
	MOVL         shift+24(FP), AX
	VPBROADCASTD AX, Z8
	MOVL         scale+28(FP), AX
	VPBROADCASTD AX, Z9
	EXPCONSTS
	SHRQ         $4, CX
	JZ           scaledone

scaleloop:
	VMOVUPS (SI), Z0
	VSUBPS  Z8, Z0, Z0
	EXPCORE
	VMULPS  Z9, Z3, Z3
	VMOVUPS Z3, (DI)
	ADDQ    $64, SI
	ADDQ    $64, DI
	DECQ    CX
	JNZ     scaleloop

scaledone:
	VZEROUPPER
	RET
