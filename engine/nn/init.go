package nn

import (
	"fmt"
	"math"

	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

// Initialisers fill a tensor in place, like torch.nn.init. The tensor must
// be contiguous (parameters always are); the random values come from rng.

// FanMode selects which fan Kaiming initialisation preserves.
type FanMode int

const (
	// FanIn preserves the variance of the forward pass (PyTorch's default).
	FanIn FanMode = iota
	// FanOut preserves the variance of the backward pass.
	FanOut
)

// CalculateGain returns the recommended gain for a nonlinearity, as
// torch.nn.init.calculate_gain: 1 for "linear", "identity", "conv1d",
// "conv2d", "sigmoid"; 5/3 for "tanh"; √2 for "relu"; √(2/(1+slope²)) for
// "leaky_relu" (param is the slope; 0 means PyTorch's default 0.01); 3/4
// for "selu".
func CalculateGain(nonlinearity string, param float64) (float64, error) {
	switch nonlinearity {
	case "linear", "identity", "conv1d", "conv2d", "conv3d", "sigmoid",
		"conv_transpose1d", "conv_transpose2d", "conv_transpose3d":
		return 1, nil
	case "tanh":
		return 5.0 / 3, nil
	case "relu":
		return math.Sqrt2, nil
	case "leaky_relu":
		if param == 0 {
			param = 0.01
		}
		return math.Sqrt(2 / (1 + param*param)), nil
	case "selu":
		return 0.75, nil
	}
	return 0, fmt.Errorf("nn: calculate_gain: unsupported nonlinearity %q", nonlinearity)
}

// FanInOut returns the fans of a weight of at least 2 dims, as PyTorch
// computes them: fan_in = size(1)·receptive field, fan_out =
// size(0)·receptive field, where the receptive field is the product of
// the dims after the first two.
func FanInOut(t *tensor.Tensor) (fanIn, fanOut int, err error) {
	s := t.Shape()
	if len(s) < 2 {
		return 0, 0, fmt.Errorf("nn: init: fan in and fan out need a tensor of at least 2 dims, got shape %v", s)
	}
	rf := 1
	for _, d := range s[2:] {
		rf *= d
	}
	return s[1] * rf, s[0] * rf, nil
}

// fill sets every element of t to f(i) in place.
func fill(t *tensor.Tensor, f func(i int) float64) error {
	if !t.IsContiguous() {
		return fmt.Errorf("nn: init: tensor of shape %v is not contiguous", t.Shape())
	}
	if t.DType() == tensor.Float64 {
		d := t.Float64s()
		for i := range d {
			d[i] = f(i)
		}
		return nil
	}
	d := t.Data()
	for i := range d {
		d[i] = float32(f(i))
	}
	return nil
}

// Constant fills t with v (torch.nn.init.constant_).
func Constant(t *tensor.Tensor, v float64) error {
	return fill(t, func(int) float64 { return v })
}

// Uniform fills t from U(lo, hi) (torch.nn.init.uniform_).
func Uniform(rng *tensor.RNG, t *tensor.Tensor, lo, hi float64) error {
	return fill(t, func(int) float64 { return lo + (hi-lo)*rng.Float64() })
}

// Normal fills t from N(mean, std²) (torch.nn.init.normal_).
func Normal(rng *tensor.RNG, t *tensor.Tensor, mean, std float64) error {
	return fill(t, func(int) float64 { return mean + std*rng.NormFloat64() })
}

// XavierUniform fills t from U(−a, a) with a = gain·√(6/(fan_in+fan_out))
// (torch.nn.init.xavier_uniform_, Glorot & Bengio 2010).
func XavierUniform(rng *tensor.RNG, t *tensor.Tensor, gain float64) error {
	fi, fo, err := FanInOut(t)
	if err != nil {
		return err
	}
	a := gain * math.Sqrt(6/float64(fi+fo))
	return Uniform(rng, t, -a, a)
}

// XavierNormal fills t from N(0, std²) with std = gain·√(2/(fan_in+fan_out))
// (torch.nn.init.xavier_normal_).
func XavierNormal(rng *tensor.RNG, t *tensor.Tensor, gain float64) error {
	fi, fo, err := FanInOut(t)
	if err != nil {
		return err
	}
	return Normal(rng, t, 0, gain*math.Sqrt(2/float64(fi+fo)))
}

// kaimingStd is gain/√fan for nonlinearity with parameter a.
func kaimingStd(t *tensor.Tensor, a float64, mode FanMode, nonlinearity string) (float64, error) {
	fi, fo, err := FanInOut(t)
	if err != nil {
		return 0, err
	}
	fan := fi
	if mode == FanOut {
		fan = fo
	}
	if nonlinearity == "leaky_relu" && a == 0 {
		// calculate_gain's default slope does not apply here: PyTorch
		// passes a=0 through, giving the ReLU gain √2
		return math.Sqrt2 / math.Sqrt(float64(fan)), nil
	}
	gain, err := CalculateGain(nonlinearity, a)
	if err != nil {
		return 0, err
	}
	return gain / math.Sqrt(float64(fan)), nil
}

// KaimingUniform fills t from U(−b, b) with b = gain·√(3/fan)
// (torch.nn.init.kaiming_uniform_, He et al. 2015). a is the negative
// slope for "leaky_relu"; PyTorch's Linear and Conv layers use
// KaimingUniform(rng, w, √5, FanIn, "leaky_relu"), which is U(±1/√fan_in).
func KaimingUniform(rng *tensor.RNG, t *tensor.Tensor, a float64, mode FanMode, nonlinearity string) error {
	std, err := kaimingStd(t, a, mode, nonlinearity)
	if err != nil {
		return err
	}
	b := math.Sqrt(3) * std
	return Uniform(rng, t, -b, b)
}

// KaimingNormal fills t from N(0, std²) with std = gain/√fan
// (torch.nn.init.kaiming_normal_).
func KaimingNormal(rng *tensor.RNG, t *tensor.Tensor, a float64, mode FanMode, nonlinearity string) error {
	std, err := kaimingStd(t, a, mode, nonlinearity)
	if err != nil {
		return err
	}
	return Normal(rng, t, 0, std)
}

// Orthogonal fills t (at least 2 dims, viewed as [size(0), rest]) with a
// (semi-)orthogonal matrix scaled by gain (torch.nn.init.orthogonal_,
// Saxe et al. 2013): the Q of the QR decomposition of a standard normal
// matrix, with signs fixed so R's diagonal is positive. The QR is
// modified Gram–Schmidt with one re-orthogonalisation pass, in float64.
func Orthogonal(rng *tensor.RNG, t *tensor.Tensor, gain float64) error {
	s := t.Shape()
	if len(s) < 2 {
		return fmt.Errorf("nn: init: orthogonal needs a tensor of at least 2 dims, got shape %v", s)
	}
	rows := s[0]
	cols := t.Numel() / max(rows, 1)
	// a is m×n with m ≥ n, stored column-major: a[j] is column j
	m, n := rows, cols
	transposed := rows < cols
	if transposed {
		m, n = cols, rows
	}
	g := make([]float64, rows*cols)
	for i := range g {
		g[i] = rng.NormFloat64()
	}
	a := make([][]float64, n)
	for j := range a {
		a[j] = make([]float64, m)
		for i := range a[j] {
			if transposed { // flattened is rows×cols; its transpose is cols×rows: element (i, j) = g[j*cols+i]
				a[j][i] = g[j*cols+i]
			} else {
				a[j][i] = g[i*cols+j]
			}
		}
	}
	for j := 0; j < n; j++ {
		for pass := 0; pass < 2; pass++ {
			for k := 0; k < j; k++ {
				var dot float64
				for i := range a[j] {
					dot += a[k][i] * a[j][i]
				}
				for i := range a[j] {
					a[j][i] -= dot * a[k][i]
				}
			}
		}
		var nrm float64
		for _, v := range a[j] {
			nrm += v * v
		}
		nrm = math.Sqrt(nrm)
		if nrm == 0 {
			return fmt.Errorf("nn: init: orthogonal: rank-deficient random matrix")
		}
		for i := range a[j] {
			a[j][i] /= nrm
		}
	}
	return fill(t, func(idx int) float64 {
		r, c := idx/cols, idx%cols
		if transposed { // result = Qᵀ: element (r, c) = Q(c, r) = a[r][c]
			return gain * a[r][c]
		}
		return gain * a[c][r]
	})
}
