//go:build amd64 && !purego

#include "textflag.h"

// Direct-convolution kernels for CPUs with AVX2 + FMA but no AVX-512 (see
// conv.go). Sixteen YMM registers hold a 6 channels × 16 positions tile
// (12 accumulators) or a 4 × 16 one; DirectConv8 runs 7–8 channels as two
// 4-channel passes.

// func directConv8AVX2(dst *float32, ldd int, x *float32, offs *int, ntaps int, w *float32, bias *float32, relu int, nsub int, six int)
// For each of nsub blocks of 16 positions: accumulators Y0..Y11 (channel
// j in Y(2j), Y(2j+1); 4 channels unless six ≠ 0) start at bias[j]; each
// tap loads 16 inputs at x + offs[t] (Y12, Y13) and adds w[8t+j]·x
// (broadcast in Y14); the result is clamped below by Y15 (0 for ReLU,
// −Inf otherwise) and stored to row j of dst (stride ldd floats). The
// per-element operation sequence is that of directConv8AVX512, so the
// results are bit-identical to it.
TEXT ·directConv8AVX2(SB), NOSPLIT, $0-80
	MOVQ dst+0(FP), DI
	MOVQ ldd+8(FP), R8
	SHLQ $2, R8
	MOVQ x+16(FP), SI
	MOVQ offs+24(FP), DX
	MOVQ ntaps+32(FP), CX
	MOVQ w+40(FP), BX
	MOVQ bias+48(FP), R9
	MOVQ relu+56(FP), AX
	MOVQ nsub+64(FP), R11
	MOVL $0xff800000, R10 // -Inf
	TESTQ AX, AX
	JZ   floor
	XORL R10, R10         // 0
floor:
	MOVQ R10, X15
	VPBROADCASTD X15, Y15
	MOVQ six+72(FP), AX
	TESTQ AX, AX
	JZ   blk4

blk6:
	VBROADCASTSS 0(R9), Y0
	VMOVAPS Y0, Y1
	VBROADCASTSS 4(R9), Y2
	VMOVAPS Y2, Y3
	VBROADCASTSS 8(R9), Y4
	VMOVAPS Y4, Y5
	VBROADCASTSS 12(R9), Y6
	VMOVAPS Y6, Y7
	VBROADCASTSS 16(R9), Y8
	VMOVAPS Y8, Y9
	VBROADCASTSS 20(R9), Y10
	VMOVAPS Y10, Y11
	MOVQ DX, R12
	MOVQ BX, R13
	MOVQ CX, R10

tap6:
	MOVQ (R12), AX
	VMOVUPS (SI)(AX*4), Y12
	VMOVUPS 32(SI)(AX*4), Y13
	VBROADCASTSS 0(R13), Y14
	VFMADD231PS Y14, Y12, Y0
	VFMADD231PS Y14, Y13, Y1
	VBROADCASTSS 4(R13), Y14
	VFMADD231PS Y14, Y12, Y2
	VFMADD231PS Y14, Y13, Y3
	VBROADCASTSS 8(R13), Y14
	VFMADD231PS Y14, Y12, Y4
	VFMADD231PS Y14, Y13, Y5
	VBROADCASTSS 12(R13), Y14
	VFMADD231PS Y14, Y12, Y6
	VFMADD231PS Y14, Y13, Y7
	VBROADCASTSS 16(R13), Y14
	VFMADD231PS Y14, Y12, Y8
	VFMADD231PS Y14, Y13, Y9
	VBROADCASTSS 20(R13), Y14
	VFMADD231PS Y14, Y12, Y10
	VFMADD231PS Y14, Y13, Y11
	ADDQ $8, R12
	ADDQ $32, R13
	DECQ R10
	JNZ  tap6
	VMAXPS Y0, Y15, Y0
	VMAXPS Y1, Y15, Y1
	VMAXPS Y2, Y15, Y2
	VMAXPS Y3, Y15, Y3
	VMAXPS Y4, Y15, Y4
	VMAXPS Y5, Y15, Y5
	VMAXPS Y6, Y15, Y6
	VMAXPS Y7, Y15, Y7
	VMAXPS Y8, Y15, Y8
	VMAXPS Y9, Y15, Y9
	VMAXPS Y10, Y15, Y10
	VMAXPS Y11, Y15, Y11
	MOVQ DI, R12
	VMOVUPS Y0, (R12)
	VMOVUPS Y1, 32(R12)
	ADDQ R8, R12
	VMOVUPS Y2, (R12)
	VMOVUPS Y3, 32(R12)
	ADDQ R8, R12
	VMOVUPS Y4, (R12)
	VMOVUPS Y5, 32(R12)
	ADDQ R8, R12
	VMOVUPS Y6, (R12)
	VMOVUPS Y7, 32(R12)
	ADDQ R8, R12
	VMOVUPS Y8, (R12)
	VMOVUPS Y9, 32(R12)
	ADDQ R8, R12
	VMOVUPS Y10, (R12)
	VMOVUPS Y11, 32(R12)
	ADDQ $64, DI
	ADDQ $64, SI
	DECQ R11
	JNZ  blk6
	VZEROUPPER
	RET

blk4:
	VBROADCASTSS 0(R9), Y0
	VMOVAPS Y0, Y1
	VBROADCASTSS 4(R9), Y2
	VMOVAPS Y2, Y3
	VBROADCASTSS 8(R9), Y4
	VMOVAPS Y4, Y5
	VBROADCASTSS 12(R9), Y6
	VMOVAPS Y6, Y7
	MOVQ DX, R12
	MOVQ BX, R13
	MOVQ CX, R10

tap4:
	MOVQ (R12), AX
	VMOVUPS (SI)(AX*4), Y12
	VMOVUPS 32(SI)(AX*4), Y13
	VBROADCASTSS 0(R13), Y14
	VFMADD231PS Y14, Y12, Y0
	VFMADD231PS Y14, Y13, Y1
	VBROADCASTSS 4(R13), Y14
	VFMADD231PS Y14, Y12, Y2
	VFMADD231PS Y14, Y13, Y3
	VBROADCASTSS 8(R13), Y14
	VFMADD231PS Y14, Y12, Y4
	VFMADD231PS Y14, Y13, Y5
	VBROADCASTSS 12(R13), Y14
	VFMADD231PS Y14, Y12, Y6
	VFMADD231PS Y14, Y13, Y7
	ADDQ $8, R12
	ADDQ $32, R13
	DECQ R10
	JNZ  tap4
	VMAXPS Y0, Y15, Y0
	VMAXPS Y1, Y15, Y1
	VMAXPS Y2, Y15, Y2
	VMAXPS Y3, Y15, Y3
	VMAXPS Y4, Y15, Y4
	VMAXPS Y5, Y15, Y5
	VMAXPS Y6, Y15, Y6
	VMAXPS Y7, Y15, Y7
	MOVQ DI, R12
	VMOVUPS Y0, (R12)
	VMOVUPS Y1, 32(R12)
	ADDQ R8, R12
	VMOVUPS Y2, (R12)
	VMOVUPS Y3, 32(R12)
	ADDQ R8, R12
	VMOVUPS Y4, (R12)
	VMOVUPS Y5, 32(R12)
	ADDQ R8, R12
	VMOVUPS Y6, (R12)
	VMOVUPS Y7, 32(R12)
	ADDQ $64, DI
	ADDQ $64, SI
	DECQ R11
	JNZ  blk4
	VZEROUPPER
	RET

// func directConvGrad4AVX2(dw, gy *float32, ldg int, x *float32, offs *int, npos int)
// Two taps t0 = offs[0], t1 = offs[1], four channels (rows of gy):
// accumulators Y0..Y3 (tap 0, channel j) and Y4..Y7 (tap 1); each step of 8
// positions loads the two shifted inputs (Y8, Y9) and the 4 gradient rows.
// Then dw[j] += total(Y j) and dw[8+j] += total(Y 4+j), j < 4.
TEXT ·directConvGrad4AVX2(SB), NOSPLIT, $0-48
	MOVQ dw+0(FP), DI
	MOVQ gy+8(FP), R9
	MOVQ ldg+16(FP), R8
	SHLQ $2, R8
	MOVQ x+24(FP), SI
	MOVQ offs+32(FP), DX
	MOVQ npos+40(FP), CX
	SHRQ $3, CX
	MOVQ (DX), AX
	LEAQ (SI)(AX*4), R10  // x + t0
	MOVQ 8(DX), AX
	LEAQ (SI)(AX*4), R11  // x + t1
	LEAQ (R8)(R8*2), R12  // 3·ldg bytes
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7

gstep:
	VMOVUPS (R10), Y8
	VMOVUPS (R11), Y9
	VMOVUPS (R9), Y10
	VFMADD231PS Y8, Y10, Y0
	VFMADD231PS Y9, Y10, Y4
	VMOVUPS (R9)(R8*1), Y11
	VFMADD231PS Y8, Y11, Y1
	VFMADD231PS Y9, Y11, Y5
	VMOVUPS (R9)(R8*2), Y12
	VFMADD231PS Y8, Y12, Y2
	VFMADD231PS Y9, Y12, Y6
	VMOVUPS (R9)(R12*1), Y13
	VFMADD231PS Y8, Y13, Y3
	VFMADD231PS Y9, Y13, Y7
	ADDQ $32, R9
	ADDQ $32, R10
	ADDQ $32, R11
	DECQ CX
	JNZ  gstep

	// hadd tree: Y0 = [Σlo Y0..Y3 | Σhi Y0..Y3], Y4 likewise for tap 1
	VHADDPS Y1, Y0, Y0
	VHADDPS Y3, Y2, Y2
	VHADDPS Y2, Y0, Y0
	VHADDPS Y5, Y4, Y4
	VHADDPS Y7, Y6, Y6
	VHADDPS Y6, Y4, Y4
	VPERM2F128 $0x20, Y4, Y0, Y1 // [Y0.lo | Y4.lo]
	VPERM2F128 $0x31, Y4, Y0, Y2 // [Y0.hi | Y4.hi]
	VADDPS Y2, Y1, Y1
	VMOVUPS (DI), X2
	VADDPS X1, X2, X2
	VMOVUPS X2, (DI)
	VEXTRACTF128 $1, Y1, X3
	VMOVUPS 32(DI), X4
	VADDPS X3, X4, X4
	VMOVUPS X4, 32(DI)
	VZEROUPPER
	RET

// func copyRowsAVX2(dst *float32, ldd int, src *float32, lds int, y *float32, ldy int, rows, w int)
// 8 floats per step, then single floats; with y, the elements where y ≤ 0
// (ordered compare: NaN keeps its element) are zeroed.
TEXT ·copyRowsAVX2(SB), NOSPLIT, $0-64
	MOVQ dst+0(FP), DI
	MOVQ ldd+8(FP), R8
	SHLQ $2, R8
	MOVQ src+16(FP), SI
	MOVQ lds+24(FP), R9
	SHLQ $2, R9
	MOVQ y+32(FP), DX
	MOVQ ldy+40(FP), R10
	SHLQ $2, R10
	MOVQ rows+48(FP), R11
	VXORPS Y2, Y2, Y2

crow:
	MOVQ w+56(FP), CX
	XORQ BX, BX                   // byte offset in the row
	CMPQ CX, $8
	JLT  ctail

cblk:
	VMOVUPS (SI)(BX*1), Y0
	TESTQ DX, DX
	JZ    cstore
	VMOVUPS (DX)(BX*1), Y1
	VCMPPS $2, Y2, Y1, Y3         // y ≤ 0 (LE_OS: false for NaN)
	VANDNPS Y0, Y3, Y0

cstore:
	VMOVUPS Y0, (DI)(BX*1)
	ADDQ  $32, BX
	SUBQ  $8, CX
	CMPQ  CX, $8
	JGE   cblk

ctail:
	TESTQ CX, CX
	JZ    cnext

cone:
	VMOVSS (SI)(BX*1), X0
	TESTQ DX, DX
	JZ    cstore1
	VMOVSS (DX)(BX*1), X1
	VCMPSS $2, X2, X1, X3
	VANDNPS X0, X3, X0

cstore1:
	VMOVSS X0, (DI)(BX*1)
	ADDQ  $4, BX
	DECQ  CX
	JNZ   cone

cnext:
	ADDQ  R8, DI
	ADDQ  R9, SI
	ADDQ  R10, DX
	DECQ  R11
	JNZ   crow
	VZEROUPPER
	RET

// func addRowsShiftedAVX2(dst, src *float32, lds int, offs *int, nrows, n int)
// Row t: dst[offs[t]:][:n] += src[t·lds:][:n], 8 floats per step, then
// single floats.
TEXT ·addRowsShiftedAVX2(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ lds+16(FP), R8
	SHLQ $2, R8
	MOVQ offs+24(FP), DX
	MOVQ nrows+32(FP), R11

arow:
	MOVQ (DX), R9
	LEAQ (DI)(R9*4), R9           // destination row
	MOVQ n+40(FP), CX
	XORQ BX, BX
	CMPQ CX, $8
	JLT  atail

ablk:
	VMOVUPS (R9)(BX*1), Y0
	VADDPS (SI)(BX*1), Y0, Y0
	VMOVUPS Y0, (R9)(BX*1)
	ADDQ  $32, BX
	SUBQ  $8, CX
	CMPQ  CX, $8
	JGE   ablk

atail:
	TESTQ CX, CX
	JZ    anext

aone:
	VMOVSS (R9)(BX*1), X0
	VADDSS (SI)(BX*1), X0, X0
	VMOVSS X0, (R9)(BX*1)
	ADDQ  $4, BX
	DECQ  CX
	JNZ   aone

anext:
	ADDQ  R8, SI
	ADDQ  $8, DX
	DECQ  R11
	JNZ   arow
	VZEROUPPER
	RET
