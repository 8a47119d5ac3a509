package tensor

import (
	binenc "encoding/binary"
	"fmt"
	"math"
)

func checkNewShape(op string, shape []int) error {
	if !validShape(shape) {
		return shapeErr(op, fmt.Sprintf("sizes must be non-negative, rank at most %d and at most 2^48 elements", MaxDims), shape)
	}
	return nil
}

// Zeros returns a Float32 tensor of zeros.
func Zeros(shape ...int) (*Tensor, error) { return Full(0, shape...) }

// Ones returns a Float32 tensor of ones.
func Ones(shape ...int) (*Tensor, error) { return Full(1, shape...) }

// Full returns a Float32 tensor filled with value.
func Full(value float64, shape ...int) (*Tensor, error) {
	return FullOf(Float32, value, shape...)
}

// FullOf returns a tensor of the given dtype filled with value.
func FullOf(dt DType, value float64, shape ...int) (*Tensor, error) {
	if err := checkNewShape("full", shape); err != nil {
		return nil, err
	}
	t := newTensor(dt, shape, false)
	if dt == Float64 {
		for i := range t.f64 {
			t.f64[i] = value
		}
	} else {
		v := float32(value)
		for i := range t.f32 {
			t.f32[i] = v
		}
	}
	return t, nil
}

// ZerosLike returns a tensor of zeros with t's shape and dtype.
func ZerosLike(t *Tensor) (*Tensor, error) {
	if t == nil {
		return nil, nilErr("zeros_like")
	}
	return FullOf(t.dtype, 0, t.shape...)
}

// Arange returns the Float32 1-D tensor [start, start+step, ...) up to
// (excluding) end, like torch.arange.
func Arange(start, end, step float64) (*Tensor, error) {
	if step == 0 || math.IsNaN(step) || math.IsInf(start, 0) || math.IsInf(end, 0) || math.IsNaN(start) || math.IsNaN(end) {
		return nil, fmt.Errorf("tensor: arange: invalid range start=%g end=%g step=%g", start, end, step)
	}
	n := int(math.Ceil((end - start) / step))
	if n < 0 {
		n = 0
	}
	if n > 1<<31 {
		return nil, fmt.Errorf("tensor: arange: range start=%g end=%g step=%g is too long", start, end, step)
	}
	t := newTensor(Float32, []int{n}, false)
	for i := range t.f32 {
		t.f32[i] = float32(start + float64(i)*step)
	}
	return t, nil
}

// Eye returns the n×n Float32 identity matrix.
func Eye(n int) (*Tensor, error) {
	t, err := Zeros(n, n)
	if err != nil {
		return nil, err
	}
	clear(t.f32)
	for i := 0; i < n; i++ {
		t.f32[i*n+i] = 1
	}
	return t, nil
}

// FromSlice returns a Float32 tensor over data (no copy: the tensor aliases
// data). With no shape, the tensor is 1-D; with shape, its element count
// must equal len(data).
func FromSlice(data []float32, shape ...int) (*Tensor, error) {
	t, err := fromShape("from_slice", Float32, len(data), shape)
	if err != nil {
		return nil, err
	}
	t.f32 = data
	return t, nil
}

// FromFloat64s returns a Float64 tensor over data (no copy), shaped like FromSlice.
func FromFloat64s(data []float64, shape ...int) (*Tensor, error) {
	t, err := fromShape("from_float64s", Float64, len(data), shape)
	if err != nil {
		return nil, err
	}
	t.f64 = data
	return t, nil
}

// Scalar returns a 0-d Float32 tensor holding v.
func Scalar(v float64) *Tensor {
	t := newTensor(Float32, nil, false)
	t.f32[0] = float32(v)
	return t
}

func fromShape(op string, dt DType, n int, shape []int) (*Tensor, error) {
	var one [1]int
	if len(shape) == 0 {
		one[0] = n
		shape = one[:]
	}
	if err := checkNewShape(op, shape); err != nil {
		return nil, err
	}
	if numelOf(shape) != n {
		return nil, shapeErr(op, fmt.Sprintf("shape needs %d elements, data has %d", numelOf(shape), n), shape)
	}
	return newLayoutIn(curArena, dt, shape), nil
}

// Contiguous returns t if its layout is row-major without gaps, and a
// contiguous copy otherwise (gradients flow through the copy).
func (t *Tensor) Contiguous() (*Tensor, error) {
	if t == nil {
		return nil, nilErr("contiguous")
	}
	if t.IsContiguous() {
		return t, nil
	}
	return t.Clone()
}

// Clone returns a contiguous copy of t (gradients flow through the copy).
func (t *Tensor) Clone() (*Tensor, error) {
	if t == nil {
		return nil, nilErr("clone")
	}
	out := newTensor(t.dtype, t.shape, false)
	if t.dtype == Float64 {
		copyStrided(out.f64, t.f64, t.shape, t.strides, t.offset)
	} else {
		copyStrided(out.f32, t.f32, t.shape, t.strides, t.offset)
	}
	record(out, opCopy, t, nil, nil)
	return out, nil
}

// copyBackward: the parent's gradient has the same shape and contiguous layout.
func copyBackward(t *Tensor) {
	p := t.parents[0]
	ensureGrad(p)
	if t.dtype == Float64 {
		addSlice(p.grad.f64, t.grad.f64)
	} else {
		addSlice(p.grad.f32, t.grad.f32)
	}
}

func addSlice[T float](dst, src []T) {
	src = src[:len(dst)]
	for i, v := range src {
		dst[i] += v
	}
}

// To returns t converted to dtype dt (t itself if it already has it).
// Gradients flow back through the conversion.
func (t *Tensor) To(dt DType) (*Tensor, error) {
	if t == nil {
		return nil, nilErr("to")
	}
	if dt != Float32 && dt != Float64 {
		return nil, fmt.Errorf("tensor: to: unknown dtype %v", dt)
	}
	if t.dtype == dt {
		return t, nil
	}
	c, err := t.Contiguous()
	if err != nil {
		return nil, err
	}
	out := newTensor(dt, t.shape, false)
	n := len(out.f32) + len(out.f64)
	if dt == Float64 {
		src := c.f32[c.offset : c.offset+n]
		for i, v := range src {
			out.f64[i] = float64(v)
		}
	} else {
		src := c.f64[c.offset : c.offset+n]
		for i, v := range src {
			out.f32[i] = float32(v)
		}
	}
	record(out, opCast, c, nil, nil)
	return out, nil
}

func castBackward(t *Tensor) {
	p := t.parents[0]
	ensureGrad(p)
	if p.dtype == Float64 {
		for i, v := range t.grad.f32 {
			p.grad.f64[i] += float64(v)
		}
	} else {
		for i, v := range t.grad.f64 {
			p.grad.f32[i] += float32(v)
		}
	}
}

// RNG is a small deterministic random generator (splitmix64). The same seed
// gives the same stream on every platform and Go version: uniform values
// are bit-identical; normal values use Box–Muller over math.Log/Sqrt/Cos/Sin
// and are identical up to the last bit of those float64 functions (so in
// practice bit-identical once rounded to float32).
type RNG struct {
	state    uint64
	spare    float64
	hasSpare bool
}

// NewRNG returns a generator seeded with seed.
func NewRNG(seed uint64) *RNG { return &RNG{state: seed} }

// rngFormat is the version byte of RNG.MarshalBinary's encoding.
const rngFormat = 1

// rngStateSize is the length of RNG.MarshalBinary's encoding.
const rngStateSize = 18

// MarshalBinary implements encoding.BinaryMarshaler: it returns the
// generator's complete state, so that UnmarshalBinary continues the
// stream exactly where it stands. The 18 bytes are a version byte (1),
// the splitmix64 state (uint64, little-endian), a byte saying whether a
// second Box–Muller normal value is pending (0 or 1), and that value's
// float64 bits (little-endian; zero when none is pending).
func (r *RNG) MarshalBinary() ([]byte, error) {
	b := make([]byte, rngStateSize)
	b[0] = rngFormat
	binenc.LittleEndian.PutUint64(b[1:9], r.state)
	if r.hasSpare {
		b[9] = 1
		binenc.LittleEndian.PutUint64(b[10:18], math.Float64bits(r.spare))
	}
	return b, nil
}

// UnmarshalBinary implements encoding.BinaryUnmarshaler: it restores the
// state written by MarshalBinary. On error r is unchanged.
func (r *RNG) UnmarshalBinary(b []byte) error {
	if len(b) != rngStateSize || b[0] != rngFormat {
		return fmt.Errorf("tensor: RNG state: want %d bytes starting with version %d, got %d bytes", rngStateSize, rngFormat, len(b))
	}
	if b[9] > 1 {
		return fmt.Errorf("tensor: RNG state: pending-normal flag is %d, want 0 or 1", b[9])
	}
	spare := math.Float64frombits(binenc.LittleEndian.Uint64(b[10:18]))
	if b[9] == 0 && spare != 0 || math.IsNaN(spare) || math.IsInf(spare, 0) {
		return fmt.Errorf("tensor: RNG state: invalid pending normal value %v", spare)
	}
	r.state = binenc.LittleEndian.Uint64(b[1:9])
	r.hasSpare = b[9] == 1
	r.spare = spare
	return nil
}

// Uint64 returns the next 64 random bits.
func (r *RNG) Uint64() uint64 {
	r.state += 0x9e3779b97f4a7c15
	z := r.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// Float64 returns a uniform value in [0, 1).
func (r *RNG) Float64() float64 { return float64(r.Uint64()>>11) * 0x1p-53 }

// Intn returns a uniform integer in [0, n); it returns 0 when n <= 0.
func (r *RNG) Intn(n int) int {
	if n <= 0 {
		return 0
	}
	un := uint64(n)
	limit := math.MaxUint64 - math.MaxUint64%un
	for {
		v := r.Uint64()
		if v < limit {
			return int(v % un)
		}
	}
}

// Shuffle permutes the n elements that swap exchanges (Fisher–Yates).
func (r *RNG) Shuffle(n int, swap func(i, j int)) {
	for i := n - 1; i > 0; i-- {
		swap(i, r.Intn(i+1))
	}
}

// NormFloat64 returns a standard normal value (Box–Muller).
func (r *RNG) NormFloat64() float64 {
	if r.hasSpare {
		r.hasSpare = false
		return r.spare
	}
	u1 := 1 - r.Float64() // (0, 1]
	u2 := r.Float64()
	rad := math.Sqrt(-2 * math.Log(u1))
	theta := 2 * math.Pi * u2
	r.spare = rad * math.Sin(theta)
	r.hasSpare = true
	return rad * math.Cos(theta)
}

// Rand returns a Float32 tensor of uniform values in [0, 1) drawn from rng.
func Rand(rng *RNG, shape ...int) (*Tensor, error) { return Uniform(rng, 0, 1, shape...) }

// Uniform returns a Float32 tensor of uniform values in [lo, hi).
func Uniform(rng *RNG, lo, hi float64, shape ...int) (*Tensor, error) {
	if rng == nil {
		return nil, fmt.Errorf("tensor: uniform: nil RNG")
	}
	t, err := Zeros(shape...)
	if err != nil {
		return nil, err
	}
	for i := range t.f32 {
		t.f32[i] = float32(lo + (hi-lo)*rng.Float64())
	}
	return t, nil
}

// Randn returns a Float32 tensor of standard normal values drawn from rng.
func Randn(rng *RNG, shape ...int) (*Tensor, error) {
	if rng == nil {
		return nil, fmt.Errorf("tensor: randn: nil RNG")
	}
	t, err := Zeros(shape...)
	if err != nil {
		return nil, err
	}
	for i := range t.f32 {
		t.f32[i] = float32(rng.NormFloat64())
	}
	return t, nil
}
