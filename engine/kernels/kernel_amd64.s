//go:build amd64 && !purego

#include "textflag.h"

// Micro-kernels for the blocked SGEMM driver (see gemm.go).
//
// Each call computes one MR×NR tile of C from kc steps of A and a packed B
// micro-panel (kc steps of NR floats, see packB), then applies the epilogue
// described by *ep:
//
//	C = act(alpha*acc + beta*C + bias)
//
// A is addressed with strides: element (i, p) of the tile's rows is at
// a + i*rsa + p*csa (in floats). A packed micro-panel has rsa = 1, csa = MR;
// the driver can also point the kernel straight at A (rsa = lda, csa = 1, or
// rsa = 1, csa = lda when transposed) when packing would not pay.
//
// epilogue layout (must match type epilogue in gemm.go):
//	0(ep)  alpha float32
//	4(ep)  beta  float32
//	8(ep)  flags uint32: 1 = read C (beta term), 2 = add bias, 4 = ReLU
//	16(ep) bias  *float32 (NR floats, valid when flag 2 is set)
//
// C is never read when flag 1 is clear, so NaNs in C do not propagate.
//
// Common registers: SI = A row 0, R12 = A row 4, R9 = rsa and R10 = 3*rsa
// (bytes), R13 = csa (bytes), DI = packed B, DX = C, R8 = ldc (bytes),
// R14 = ep, BX/CX = k counters. After the k loop R10 walks the rows of C
// and R11 holds the bias pointer.

#define EP_BETA 1
#define EP_BIAS 2
#define EP_RELU 4

// Loads the arguments shared by both kernels and sets up the A row bases.
#define KERNEL_ARGS \
	MOVQ kc+0(FP), CX; \
	MOVQ a+8(FP), SI; \
	MOVQ rsa+16(FP), R9; \
	MOVQ csa+24(FP), R13; \
	MOVQ b+32(FP), DI; \
	MOVQ c+40(FP), DX; \
	MOVQ ldc+48(FP), R8; \
	MOVQ ep+56(FP), R14; \
	SHLQ $2, R9; \
	SHLQ $2, R13; \
	SHLQ $2, R8; \
	LEAQ (R9)(R9*2), R10; \
	LEAQ (SI)(R9*4), R12

// ---------------------------------------------------------------------------
// AVX-512: 8×32 tile.
//
// Register allocation:
//	Z0..Z15   accumulators; row i lives in Z(2i) (columns 0..15) and Z(2i+1)
//	          (columns 16..31)
//	Z16, Z17  the current k-step's 32 B values
//	Z18..Z25  broadcasts of the 8 A values of the k-step
//
// Per k-step: 2 loads of B, 8 broadcasts of A, 16 FMAs. On Zen 4 (one
// 512-bit FMA per cycle, 4-cycle latency) the 16 independent accumulators
// keep the FMA pipes busy; the loads stay well under the 2-per-cycle limit.

#define K512(bo) \
	VMOVUPS      bo(DI), Z16; \
	VMOVUPS      bo+64(DI), Z17; \
	VBROADCASTSS (SI), Z18; \
	VBROADCASTSS (SI)(R9*1), Z19; \
	VFMADD231PS  Z16, Z18, Z0; \
	VFMADD231PS  Z17, Z18, Z1; \
	VBROADCASTSS (SI)(R9*2), Z20; \
	VFMADD231PS  Z16, Z19, Z2; \
	VFMADD231PS  Z17, Z19, Z3; \
	VBROADCASTSS (SI)(R10*1), Z21; \
	VFMADD231PS  Z16, Z20, Z4; \
	VFMADD231PS  Z17, Z20, Z5; \
	VBROADCASTSS (R12), Z22; \
	VFMADD231PS  Z16, Z21, Z6; \
	VFMADD231PS  Z17, Z21, Z7; \
	VBROADCASTSS (R12)(R9*1), Z23; \
	VFMADD231PS  Z16, Z22, Z8; \
	VFMADD231PS  Z17, Z22, Z9; \
	VBROADCASTSS (R12)(R9*2), Z24; \
	VFMADD231PS  Z16, Z23, Z10; \
	VFMADD231PS  Z17, Z23, Z11; \
	VBROADCASTSS (R12)(R10*1), Z25; \
	ADDQ         R13, SI; \
	ADDQ         R13, R12; \
	VFMADD231PS  Z16, Z24, Z12; \
	VFMADD231PS  Z17, Z24, Z13; \
	VFMADD231PS  Z16, Z25, Z14; \
	VFMADD231PS  Z17, Z25, Z15

// Row helpers for the epilogue: r0, r1 are the row's two accumulators and
// R10 walks the rows of C.
#define BETA512(r0, r1) \
	VFMADD231PS (R10), Z17, r0; \
	VFMADD231PS 64(R10), Z17, r1; \
	ADDQ        R8, R10

#define BIAS512(r0, r1) \
	VADDPS Z16, r0, r0; \
	VADDPS Z17, r1, r1

// max(x, 0) with x as the second source so that NaN propagates.
#define RELU512(r0, r1) \
	VMAXPS r0, Z16, r0; \
	VMAXPS r1, Z16, r1

#define STORE512(r0, r1) \
	VMOVUPS r0, (R10); \
	VMOVUPS r1, 64(R10); \
	ADDQ    R8, R10

#define PF2(reg) \
	PREFETCHT0 (reg); \
	PREFETCHT0 64(reg); \
	ADDQ       R8, reg

// func kernel8x32AVX512(kc int, a *float32, rsa, csa int, b, c *float32, ldc int, ep *epilogue)
TEXT ·kernel8x32AVX512(SB), NOSPLIT, $0-64
	KERNEL_ARGS

	// Touch the C tile early so its lines are in flight during the k loop.
	MOVQ DX, R11
	PF2(R11)
	PF2(R11)
	PF2(R11)
	PF2(R11)
	PF2(R11)
	PF2(R11)
	PF2(R11)
	PF2(R11)

	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12
	VPXORD Z13, Z13, Z13
	VPXORD Z14, Z14, Z14
	VPXORD Z15, Z15, Z15

	MOVQ CX, BX
	SHRQ $2, BX
	JZ   tail512

loop512:
	K512(0)
	K512(128)
	K512(256)
	K512(384)
	ADDQ $512, DI
	DECQ BX
	JNZ  loop512

tail512:
	ANDQ $3, CX
	JZ   epi512

loop512t:
	K512(0)
	ADDQ $128, DI
	DECQ CX
	JNZ  loop512t

epi512:
	// acc *= alpha
	VBROADCASTSS 0(R14), Z16
	VMULPS       Z16, Z0, Z0
	VMULPS       Z16, Z1, Z1
	VMULPS       Z16, Z2, Z2
	VMULPS       Z16, Z3, Z3
	VMULPS       Z16, Z4, Z4
	VMULPS       Z16, Z5, Z5
	VMULPS       Z16, Z6, Z6
	VMULPS       Z16, Z7, Z7
	VMULPS       Z16, Z8, Z8
	VMULPS       Z16, Z9, Z9
	VMULPS       Z16, Z10, Z10
	VMULPS       Z16, Z11, Z11
	VMULPS       Z16, Z12, Z12
	VMULPS       Z16, Z13, Z13
	VMULPS       Z16, Z14, Z14
	VMULPS       Z16, Z15, Z15

	MOVL  8(R14), AX
	TESTL $EP_BETA, AX
	JZ    nobeta512
	VBROADCASTSS 4(R14), Z17
	MOVQ  DX, R10
	BETA512(Z0, Z1)
	BETA512(Z2, Z3)
	BETA512(Z4, Z5)
	BETA512(Z6, Z7)
	BETA512(Z8, Z9)
	BETA512(Z10, Z11)
	BETA512(Z12, Z13)
	BETA512(Z14, Z15)

nobeta512:
	TESTL $EP_BIAS, AX
	JZ    nobias512
	MOVQ  16(R14), R11
	VMOVUPS (R11), Z16
	VMOVUPS 64(R11), Z17
	BIAS512(Z0, Z1)
	BIAS512(Z2, Z3)
	BIAS512(Z4, Z5)
	BIAS512(Z6, Z7)
	BIAS512(Z8, Z9)
	BIAS512(Z10, Z11)
	BIAS512(Z12, Z13)
	BIAS512(Z14, Z15)

nobias512:
	TESTL $EP_RELU, AX
	JZ    norelu512
	VPXORD Z16, Z16, Z16
	RELU512(Z0, Z1)
	RELU512(Z2, Z3)
	RELU512(Z4, Z5)
	RELU512(Z6, Z7)
	RELU512(Z8, Z9)
	RELU512(Z10, Z11)
	RELU512(Z12, Z13)
	RELU512(Z14, Z15)

norelu512:
	MOVQ DX, R10
	STORE512(Z0, Z1)
	STORE512(Z2, Z3)
	STORE512(Z4, Z5)
	STORE512(Z6, Z7)
	STORE512(Z8, Z9)
	STORE512(Z10, Z11)
	STORE512(Z12, Z13)
	STORE512(Z14, Z15)
	VZEROUPPER
	RET

// ---------------------------------------------------------------------------
// AVX2 + FMA: 6×16 tile.
//
// Register allocation:
//	Y0..Y11   accumulators; row i lives in Y(2i) (columns 0..7) and Y(2i+1)
//	          (columns 8..15)
//	Y12, Y13  the current k-step's 16 B values
//	Y14, Y15  broadcasts of A values (alternating)
//
// Per k-step: 2 loads of B, 6 broadcasts, 12 FMAs; 12 accumulators cover
// the FMA latency × throughput of Haswell..Zen 4 (4-5 cycles × 2 per cycle).

#define K256(bo) \
	VMOVUPS      bo(DI), Y12; \
	VMOVUPS      bo+32(DI), Y13; \
	VBROADCASTSS (SI), Y14; \
	VBROADCASTSS (SI)(R9*1), Y15; \
	VFMADD231PS  Y12, Y14, Y0; \
	VFMADD231PS  Y13, Y14, Y1; \
	VBROADCASTSS (SI)(R9*2), Y14; \
	VFMADD231PS  Y12, Y15, Y2; \
	VFMADD231PS  Y13, Y15, Y3; \
	VBROADCASTSS (SI)(R10*1), Y15; \
	VFMADD231PS  Y12, Y14, Y4; \
	VFMADD231PS  Y13, Y14, Y5; \
	VBROADCASTSS (R12), Y14; \
	VFMADD231PS  Y12, Y15, Y6; \
	VFMADD231PS  Y13, Y15, Y7; \
	VBROADCASTSS (R12)(R9*1), Y15; \
	ADDQ         R13, SI; \
	ADDQ         R13, R12; \
	VFMADD231PS  Y12, Y14, Y8; \
	VFMADD231PS  Y13, Y14, Y9; \
	VFMADD231PS  Y12, Y15, Y10; \
	VFMADD231PS  Y13, Y15, Y11

#define BETA256(r0, r1) \
	VFMADD231PS (R10), Y13, r0; \
	VFMADD231PS 32(R10), Y13, r1; \
	ADDQ        R8, R10

#define BIAS256(r0, r1) \
	VADDPS Y12, r0, r0; \
	VADDPS Y13, r1, r1

#define RELU256(r0, r1) \
	VMAXPS r0, Y14, r0; \
	VMAXPS r1, Y14, r1

#define STORE256(r0, r1) \
	VMOVUPS r0, (R10); \
	VMOVUPS r1, 32(R10); \
	ADDQ    R8, R10

#define PF1(reg) \
	PREFETCHT0 (reg); \
	PREFETCHT0 60(reg); \
	ADDQ       R8, reg

// func kernel6x16AVX2(kc int, a *float32, rsa, csa int, b, c *float32, ldc int, ep *epilogue)
TEXT ·kernel6x16AVX2(SB), NOSPLIT, $0-64
	KERNEL_ARGS

	MOVQ DX, R11
	PF1(R11)
	PF1(R11)
	PF1(R11)
	PF1(R11)
	PF1(R11)
	PF1(R11)

	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11

	MOVQ CX, BX
	SHRQ $2, BX
	JZ   tail256

loop256:
	K256(0)
	K256(64)
	K256(128)
	K256(192)
	ADDQ $256, DI
	DECQ BX
	JNZ  loop256

tail256:
	ANDQ $3, CX
	JZ   epi256

loop256t:
	K256(0)
	ADDQ $64, DI
	DECQ CX
	JNZ  loop256t

epi256:
	VBROADCASTSS 0(R14), Y12
	VMULPS       Y12, Y0, Y0
	VMULPS       Y12, Y1, Y1
	VMULPS       Y12, Y2, Y2
	VMULPS       Y12, Y3, Y3
	VMULPS       Y12, Y4, Y4
	VMULPS       Y12, Y5, Y5
	VMULPS       Y12, Y6, Y6
	VMULPS       Y12, Y7, Y7
	VMULPS       Y12, Y8, Y8
	VMULPS       Y12, Y9, Y9
	VMULPS       Y12, Y10, Y10
	VMULPS       Y12, Y11, Y11

	MOVL  8(R14), AX
	TESTL $EP_BETA, AX
	JZ    nobeta256
	VBROADCASTSS 4(R14), Y13
	MOVQ  DX, R10
	BETA256(Y0, Y1)
	BETA256(Y2, Y3)
	BETA256(Y4, Y5)
	BETA256(Y6, Y7)
	BETA256(Y8, Y9)
	BETA256(Y10, Y11)

nobeta256:
	TESTL $EP_BIAS, AX
	JZ    nobias256
	MOVQ  16(R14), R11
	VMOVUPS (R11), Y12
	VMOVUPS 32(R11), Y13
	BIAS256(Y0, Y1)
	BIAS256(Y2, Y3)
	BIAS256(Y4, Y5)
	BIAS256(Y6, Y7)
	BIAS256(Y8, Y9)
	BIAS256(Y10, Y11)

nobias256:
	TESTL $EP_RELU, AX
	JZ    norelu256
	VXORPS Y14, Y14, Y14
	RELU256(Y0, Y1)
	RELU256(Y2, Y3)
	RELU256(Y4, Y5)
	RELU256(Y6, Y7)
	RELU256(Y8, Y9)
	RELU256(Y10, Y11)

norelu256:
	MOVQ DX, R10
	STORE256(Y0, Y1)
	STORE256(Y2, Y3)
	STORE256(Y4, Y5)
	STORE256(Y6, Y7)
	STORE256(Y8, Y9)
	STORE256(Y10, Y11)
	VZEROUPPER
	RET

// ---------------------------------------------------------------------------
// func transpose8(kc8 int, src *float32, lds int, dst *float32, ldd int, rows int)
//
// Packing helper: reads rows (6 or 8) rows of src (row stride lds floats) ×
// kc8 columns (a multiple of 8) and writes them transposed: dst[p*ldd + i] =
// src[i*lds + p]. Each output row is stored 8 floats wide, in increasing p,
// so with rows = 6 (ldd = 6) the two junk lanes of row p are overwritten by
// row p+1; the caller leaves 2 floats of slack after the last row.
// Works on 8×8 blocks with the classic unpck/shufps/perm2f128 transpose:
// Y0..Y7 rows in, Y8..Y15 interleaved pairs, Y0..Y7 quads, Y8..Y15 out.
TEXT ·transpose8(SB), NOSPLIT, $0-48
	MOVQ kc8+0(FP), CX
	MOVQ src+8(FP), SI
	MOVQ lds+16(FP), R8
	MOVQ dst+24(FP), DI
	MOVQ ldd+32(FP), R9
	MOVQ rows+40(FP), R13
	SHLQ $2, R8
	SHLQ $2, R9
	LEAQ (R8)(R8*2), R11
	LEAQ (SI)(R8*4), R12
	LEAQ (R9)(R9*2), R14
	SHRQ $3, CX
	JZ   trdone

trloop:
	VMOVUPS (SI), Y0
	VMOVUPS (SI)(R8*1), Y1
	VMOVUPS (SI)(R8*2), Y2
	VMOVUPS (SI)(R11*1), Y3
	VMOVUPS (R12), Y4
	VMOVUPS (R12)(R8*1), Y5
	CMPQ    R13, $8
	JNE     trsix
	VMOVUPS (R12)(R8*2), Y6
	VMOVUPS (R12)(R11*1), Y7

trsix:
	VUNPCKLPS Y1, Y0, Y8
	VUNPCKHPS Y1, Y0, Y9
	VUNPCKLPS Y3, Y2, Y10
	VUNPCKHPS Y3, Y2, Y11
	VUNPCKLPS Y5, Y4, Y12
	VUNPCKHPS Y5, Y4, Y13
	VUNPCKLPS Y7, Y6, Y14
	VUNPCKHPS Y7, Y6, Y15

	VSHUFPS $0x44, Y10, Y8, Y0
	VSHUFPS $0xEE, Y10, Y8, Y1
	VSHUFPS $0x44, Y11, Y9, Y2
	VSHUFPS $0xEE, Y11, Y9, Y3
	VSHUFPS $0x44, Y14, Y12, Y4
	VSHUFPS $0xEE, Y14, Y12, Y5
	VSHUFPS $0x44, Y15, Y13, Y6
	VSHUFPS $0xEE, Y15, Y13, Y7

	VPERM2F128 $0x20, Y4, Y0, Y8
	VPERM2F128 $0x20, Y5, Y1, Y9
	VPERM2F128 $0x20, Y6, Y2, Y10
	VPERM2F128 $0x20, Y7, Y3, Y11
	VPERM2F128 $0x31, Y4, Y0, Y12
	VPERM2F128 $0x31, Y5, Y1, Y13
	VPERM2F128 $0x31, Y6, Y2, Y14
	VPERM2F128 $0x31, Y7, Y3, Y15

	LEAQ    (DI)(R9*4), R10
	VMOVUPS Y8, (DI)
	VMOVUPS Y9, (DI)(R9*1)
	VMOVUPS Y10, (DI)(R9*2)
	VMOVUPS Y11, (DI)(R14*1)
	VMOVUPS Y12, (R10)
	VMOVUPS Y13, (R10)(R9*1)
	VMOVUPS Y14, (R10)(R9*2)
	VMOVUPS Y15, (R10)(R14*1)

	ADDQ $32, SI
	ADDQ $32, R12
	LEAQ (DI)(R9*8), DI
	DECQ CX
	JNZ  trloop

trdone:
	VZEROUPPER
	RET

// ---------------------------------------------------------------------------
// func copyPanel(kc int, src *float32, lds int, dst *float32, nr int)
//
// Packing helper for untransposed B and transposed A: copies kc rows of nr
// (6, 8, 16 or any other value meaning 32) floats from src (row stride lds
// floats) to dst, contiguously.
TEXT ·copyPanel(SB), NOSPLIT, $0-40
	MOVQ kc+0(FP), CX
	MOVQ src+8(FP), SI
	MOVQ lds+16(FP), R8
	MOVQ dst+24(FP), DI
	MOVQ nr+32(FP), AX
	SHLQ $2, R8
	TESTQ CX, CX
	JZ   cpdone
	CMPQ AX, $16
	JEQ  cp16
	CMPQ AX, $8
	JEQ  cp8
	CMPQ AX, $6
	JEQ  cp6

cp32:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ    R8, SI
	ADDQ    $128, DI
	DECQ    CX
	JNZ     cp32
	JMP     cpdone

cp16:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ    R8, SI
	ADDQ    $64, DI
	DECQ    CX
	JNZ     cp16
	JMP     cpdone

cp8:
	VMOVUPS (SI), Y0
	VMOVUPS Y0, (DI)
	ADDQ    R8, SI
	ADDQ    $32, DI
	DECQ    CX
	JNZ     cp8
	JMP     cpdone

cp6:
	VMOVUPS (SI), X0
	MOVQ    16(SI), BX
	VMOVUPS X0, (DI)
	MOVQ    BX, 16(DI)
	ADDQ    R8, SI
	ADDQ    $24, DI
	DECQ    CX
	JNZ     cp6

cpdone:
	VZEROUPPER
	RET
