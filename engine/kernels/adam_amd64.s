//go:build amd64 && !purego

#include "textflag.h"

// func adamAVX512(wp, gp, mp, vp *float32, n int, c *adamConsts)
// One Adam update of n (a multiple of 16) elements, 16 per iteration, in
// the operation order of adamGo (no FMA: the results match it bit for bit).
TEXT ·adamAVX512(SB), NOSPLIT, $0-48
	MOVQ wp+0(FP), DI
	MOVQ gp+8(FP), SI
	MOVQ mp+16(FP), R8
	MOVQ vp+24(FP), R9
	MOVQ n+32(FP), CX
	MOVQ c+40(FP), AX
	VBROADCASTSS 0(AX), Z20  // β1
	VBROADCASTSS 4(AX), Z21  // 1-β1
	VBROADCASTSS 8(AX), Z22  // β2
	VBROADCASTSS 12(AX), Z23 // 1-β2
	VBROADCASTSS 16(AX), Z24 // step size
	VBROADCASTSS 20(AX), Z25 // 1/√(1-β2ᵗ)
	VBROADCASTSS 24(AX), Z26 // ε
	VBROADCASTSS 28(AX), Z27 // decay
	VBROADCASTSS 32(AX), Z28 // weight decay (L2)
	MOVL 36(AX), BX          // L2 on
	XORQ DX, DX

loop:
	CMPQ DX, CX
	JGE  done
	VMOVUPS (DI)(DX*4), Z0 // w
	VMULPS  Z27, Z0, Z0    // w *= decay
	VMOVUPS (SI)(DX*4), Z1 // g
	TESTL   BX, BX
	JZ      nol2
	VMULPS  Z28, Z0, Z2
	VADDPS  Z2, Z1, Z1     // g += λ·w

nol2:
	VMOVUPS (R8)(DX*4), Z2
	VMULPS  Z20, Z2, Z2    // β1·m
	VMULPS  Z21, Z1, Z3    // (1-β1)·g
	VADDPS  Z3, Z2, Z2     // m
	VMOVUPS (R9)(DX*4), Z4
	VMULPS  Z22, Z4, Z4    // β2·v
	VMULPS  Z23, Z1, Z5    // (1-β2)·g
	VMULPS  Z1, Z5, Z5     // ·g
	VADDPS  Z5, Z4, Z4     // v
	VMOVUPS Z2, (R8)(DX*4)
	VMOVUPS Z4, (R9)(DX*4)
	VSQRTPS Z4, Z5
	VMULPS  Z25, Z5, Z5    // √v / √(1-β2ᵗ)
	VADDPS  Z26, Z5, Z5    // + ε
	VMULPS  Z24, Z2, Z6    // step·m
	VDIVPS  Z5, Z6, Z6
	VSUBPS  Z6, Z0, Z0     // w - step·m/den
	VMOVUPS Z0, (DI)(DX*4)
	ADDQ    $16, DX
	JMP     loop

done:
	VZEROUPPER
	RET
