//go:build amd64 && !purego

#include "textflag.h"

// Elementwise products for the GELU backward (gelu.go), AVX-512F.

// func geluMulAVX512(d, gy *float32, n int)
TEXT ·geluMulAVX512(SB), NOSPLIT, $0-24
	MOVQ d+0(FP), DI
	MOVQ gy+8(FP), SI
	MOVQ n+16(FP), CX
	XORQ AX, AX

mulloop:
	VMOVUPS (DI)(AX*4), Z0
	VMULPS  (SI)(AX*4), Z0, Z0
	VMOVUPS Z0, (DI)(AX*4)
	ADDQ    $16, AX
	CMPQ    AX, CX
	JLT     mulloop

	VZEROUPPER
	RET

// func geluMulAddAVX512(dst, d, gy *float32, n int)
TEXT ·geluMulAddAVX512(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ d+8(FP), SI
	MOVQ gy+16(FP), DX
	MOVQ n+24(FP), CX
	XORQ AX, AX

maloop:
	VMOVUPS (SI)(AX*4), Z0
	VMULPS  (DX)(AX*4), Z0, Z0
	VADDPS  (DI)(AX*4), Z0, Z0
	VMOVUPS Z0, (DI)(AX*4)
	ADDQ    $16, AX
	CMPQ    AX, CX
	JLT     maloop

	VZEROUPPER
	RET
