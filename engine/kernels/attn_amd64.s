//go:build amd64 && !purego

#include "textflag.h"

// Attention row kernels (attn.go), AVX-512F, 16 float32 lanes a step.

// func attnDot64AVX512(x, y *float32, n int) float64
TEXT ·attnDot64AVX512(SB), NOSPLIT, $0-32
	MOVQ   x+0(FP), SI
	MOVQ   y+8(FP), DI
	MOVQ   n+16(FP), CX
	VXORPD Z0, Z0, Z0
	VXORPD Z2, Z2, Z2

dotloop:
	VCVTPS2PD   (SI), Z4
	VCVTPS2PD   32(SI), Z5
	VCVTPS2PD   (DI), Z6
	VCVTPS2PD   32(DI), Z7
	VFMADD231PD Z6, Z4, Z0
	VFMADD231PD Z7, Z5, Z2
	ADDQ        $64, SI
	ADDQ        $64, DI
	SUBQ        $16, CX
	JNZ         dotloop

	VADDPD        Z2, Z0, Z0
	VEXTRACTF64X4 $1, Z0, Y1
	VADDPD        Y1, Y0, Y0
	VEXTRACTF128  $1, Y0, X1
	VADDPD        X1, X0, X0
	VUNPCKHPD     X0, X0, X1
	VADDSD        X1, X0, X0
	VZEROUPPER
	MOVSD         X0, ret+24(FP)
	RET

// func attnDSAVX512(dp, p *float32, n int, d, scale float32)
TEXT ·attnDSAVX512(SB), NOSPLIT, $0-32
	MOVQ         dp+0(FP), DI
	MOVQ         p+8(FP), SI
	MOVQ         n+16(FP), CX
	VBROADCASTSS d+24(FP), Z8
	VBROADCASTSS scale+28(FP), Z9
	XORQ         AX, AX

dsloop:
	VMOVUPS (DI)(AX*4), Z0
	VSUBPS  Z8, Z0, Z0
	VMULPS  (SI)(AX*4), Z0, Z0
	VMULPS  Z9, Z0, Z0
	VMOVUPS Z0, (DI)(AX*4)
	ADDQ    $16, AX
	CMPQ    AX, CX
	JLT     dsloop

	VZEROUPPER
	RET
