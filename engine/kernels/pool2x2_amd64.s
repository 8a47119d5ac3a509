//go:build amd64 && !purego

#include "textflag.h"

// 2×2 stride-2 max pool (AVX-512F/DQ + BMI2): see MaxPool2x2 in pool2x2.go.

// evenLanes holds the int32s 0, 2, …, 30.
DATA evenLanes<>+0(SB)/4, $0
DATA evenLanes<>+4(SB)/4, $2
DATA evenLanes<>+8(SB)/4, $4
DATA evenLanes<>+12(SB)/4, $6
DATA evenLanes<>+16(SB)/4, $8
DATA evenLanes<>+20(SB)/4, $10
DATA evenLanes<>+24(SB)/4, $12
DATA evenLanes<>+28(SB)/4, $14
DATA evenLanes<>+32(SB)/4, $16
DATA evenLanes<>+36(SB)/4, $18
DATA evenLanes<>+40(SB)/4, $20
DATA evenLanes<>+44(SB)/4, $22
DATA evenLanes<>+48(SB)/4, $24
DATA evenLanes<>+52(SB)/4, $26
DATA evenLanes<>+56(SB)/4, $28
DATA evenLanes<>+60(SB)/4, $30
GLOBL evenLanes<>(SB), RODATA|NOPTR, $64

// KEY(v, k) sets k to the order key of the floats v: |v| or −|v| as int32,
// NaN → 0x7fffffff (Z29). Clobbers Z12, Z13, K4.
#define KEY(v, k) \
	VPANDD    Z29, v, Z12; \
	VPSRAD    $31, v, Z13; \
	VPXORD    Z13, Z12, k; \
	VPSUBD    Z13, k, k; \
	VPCMPGTD  Z28, Z12, K4; \
	VMOVDQA32 Z29, K4, k

// func maxPool2x2AVX512(out *float32, idx *int, x *float32, w, wo, rows, base int)
// Per output row: blocks of up to 16 windows; the last block of a row is
// masked (masked loads do not fault past the row).
TEXT ·maxPool2x2AVX512(SB), NOSPLIT, $0-56
	MOVQ out+0(FP), DI
	MOVQ idx+8(FP), R9
	MOVQ x+16(FP), R8
	MOVQ w+24(FP), DX
	MOVQ rows+40(FP), R11
	MOVQ base+48(FP), R13
	VMOVDQU32 evenLanes<>(SB), Z31
	MOVL $1, AX
	VPBROADCASTD AX, Z27          // 1
	VPADDD    Z27, Z31, Z30       // odd lanes 1, 3, …, 31
	MOVL $0x7fffffff, AX
	VPBROADCASTD AX, Z29
	MOVL $0x7f800000, AX
	VPBROADCASTD AX, Z28
	VPBROADCASTD DX, Z26          // w (the second row's index offset)

row:
	MOVQ R8, SI
	MOVQ R13, R10
	MOVQ wo+32(FP), CX

blk:
	MOVQ CX, AX
	CMPQ AX, $16
	JLE  mok
	MOVQ $16, AX

mok:
	LEAQ  (AX)(AX*1), BX
	MOVQ  $1, R12
	SHLXQ BX, R12, R12
	DECQ  R12                     // (1 << 2m) − 1
	KMOVW R12, K1
	SHRQ  $16, R12
	KMOVW R12, K2
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z 64(SI), K2, Z1
	VMOVUPS.Z (SI)(DX*4), K1, Z2
	VMOVUPS.Z 64(SI)(DX*4), K2, Z3
	VMOVDQA32 Z31, Z4
	VPERMI2PS Z1, Z0, Z4          // a: row 0, even columns
	VMOVDQA32 Z30, Z5
	VPERMI2PS Z1, Z0, Z5          // b: row 0, odd
	VMOVDQA32 Z31, Z6
	VPERMI2PS Z3, Z2, Z6          // c: row 1, even
	VMOVDQA32 Z30, Z7
	VPERMI2PS Z3, Z2, Z7          // d: row 1, odd
	KEY(Z4, Z8)
	KEY(Z5, Z9)
	KEY(Z6, Z10)
	KEY(Z7, Z11)
	VPBROADCASTD R10, Z14
	VPADDD    Z31, Z14, Z14       // index of a
	VPADDD    Z26, Z14, Z15       // index of c
	VPCMPGTD  Z8, Z9, K5          // kb > ka
	VMOVDQA32 Z9, K5, Z8
	VMOVAPS   Z5, K5, Z4
	VPADDD    Z27, Z14, K5, Z14
	VPCMPGTD  Z10, Z11, K6        // kd > kc
	VMOVDQA32 Z11, K6, Z10
	VMOVAPS   Z7, K6, Z6
	VPADDD    Z27, Z15, K6, Z15
	VPCMPGTD  Z8, Z10, K7         // kc > ka
	VMOVAPS   Z6, K7, Z4
	VMOVDQA32 Z15, K7, Z14
	MOVQ  $1, R12
	SHLXQ AX, R12, R12
	DECQ  R12                     // (1 << m) − 1
	KMOVW R12, K3
	VMOVUPS Z4, K3, (DI)
	VPMOVSXDQ Y14, Z16
	VEXTRACTI64X4 $1, Z14, Y17
	VPMOVSXDQ Y17, Z17
	KMOVW R12, K1
	SHRQ  $8, R12
	KMOVW R12, K2
	VMOVDQU64 Z16, K1, (R9)
	VMOVDQU64 Z17, K2, 64(R9)
	LEAQ (DI)(AX*4), DI
	LEAQ (R9)(AX*8), R9
	ADDQ $128, SI
	ADDQ $32, R10
	SUBQ AX, CX
	JNZ  blk

	LEAQ (R8)(DX*8), R8           // two input rows
	LEAQ (R13)(DX*2), R13
	DECQ R11
	JNZ  row
	VZEROUPPER
	RET
