package nn_test

import (
	"math"
	"testing"

	"github.com/kaiwu-ai/kaiwu/engine/nn"
	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

func TestCalculateGain(t *testing.T) {
	for _, c := range []struct {
		nl    string
		param float64
		want  float64
	}{{"linear", 0, 1}, {"conv2d", 0, 1}, {"sigmoid", 0, 1}, {"tanh", 0, 5.0 / 3}, {"relu", 0, math.Sqrt2},
		{"leaky_relu", 0, math.Sqrt(2 / (1 + 0.01*0.01))}, {"leaky_relu", math.Sqrt(5), math.Sqrt(2.0 / 6)}, {"selu", 0, 0.75}} {
		if got, err := nn.CalculateGain(c.nl, c.param); err != nil || math.Abs(got-c.want) > 1e-12 {
			t.Errorf("CalculateGain(%s, %v) = %v, %v; want %v", c.nl, c.param, got, err, c.want)
		}
	}
	if _, err := nn.CalculateGain("swish", 0); err == nil {
		t.Error("unknown nonlinearity: no error")
	}
}

func stats(d []float32) (mean, std, absMax float64) {
	for _, v := range d {
		mean += float64(v)
		absMax = math.Max(absMax, math.Abs(float64(v)))
	}
	mean /= float64(len(d))
	for _, v := range d {
		std += (float64(v) - mean) * (float64(v) - mean)
	}
	return mean, math.Sqrt(std / float64(len(d))), absMax
}

func TestInitialisers(t *testing.T) {
	rng := tensor.NewRNG(4)
	w := tensor.Must(tensor.Zeros(64, 32, 3, 3)) // fan_in 288, fan_out 576
	fi, fo := 288.0, 576.0
	for _, c := range []struct {
		name    string
		init    func() error
		std     float64
		uniform bool
	}{
		{"xavier_uniform", func() error { return nn.XavierUniform(rng, w, 1) }, math.Sqrt(2 / (fi + fo)), true},
		{"xavier_normal", func() error { return nn.XavierNormal(rng, w, 2) }, 2 * math.Sqrt(2/(fi+fo)), false},
		{"kaiming_uniform_relu", func() error { return nn.KaimingUniform(rng, w, 0, nn.FanIn, "relu") }, math.Sqrt(2 / fi), true},
		{"kaiming_normal_fan_out", func() error { return nn.KaimingNormal(rng, w, 0, nn.FanOut, "relu") }, math.Sqrt(2 / fo), false},
		{"kaiming_uniform_a_sqrt5", func() error { return nn.KaimingUniform(rng, w, math.Sqrt(5), nn.FanIn, "leaky_relu") }, 1 / math.Sqrt(3*fi), true},
		{"normal", func() error { return nn.Normal(rng, w, 0, 0.02) }, 0.02, false},
	} {
		if err := c.init(); err != nil {
			t.Fatal(err)
		}
		mean, std, mx := stats(w.Data())
		if math.Abs(mean) > 0.05*c.std || math.Abs(std-c.std) > 0.03*c.std {
			t.Errorf("%s: mean %v std %v, want 0 and %v", c.name, mean, std, c.std)
		}
		if c.uniform && mx > math.Sqrt(3)*c.std {
			t.Errorf("%s: |max| %v beyond the bound %v", c.name, mx, math.Sqrt(3)*c.std)
		}
	}
}

func TestOrthogonal(t *testing.T) {
	for _, shape := range [][]int{{6, 4}, {3, 7}, {4, 2, 2}} {
		w := tensor.Must(tensor.Zeros(shape...))
		if err := nn.Orthogonal(tensor.NewRNG(9), w, 1.5); err != nil {
			t.Fatal(err)
		}
		rows := shape[0]
		cols := w.Numel() / rows
		d := w.Data()
		// the smaller side is orthonormal (× gain²)
		small, big := rows, cols
		at := func(i, k int) float64 { return float64(d[i*cols+k]) } // i over the small side
		if rows > cols {
			small, big = cols, rows
			at = func(i, k int) float64 { return float64(d[k*cols+i]) }
		}
		for i := 0; i < small; i++ {
			for j := 0; j < small; j++ {
				var dot float64
				for k := 0; k < big; k++ {
					dot += at(i, k) * at(j, k)
				}
				want := 0.0
				if i == j {
					want = 2.25
				}
				if math.Abs(dot-want) > 1e-5 {
					t.Errorf("shape %v: <%d,%d> = %v, want %v", shape, i, j, dot, want)
				}
			}
		}
	}
}

func TestDefaultInitBounds(t *testing.T) {
	c, _ := nn.NewConv2d(tensor.NewRNG(1), 4, 8, [2]int{3, 3}, tensor.ConvParams{Groups: 2}, true)
	bound := 1 / math.Sqrt(2*9) // fan_in = in/groups·kh·kw
	for _, p := range c.Parameters() {
		if _, _, mx := stats(p.Tensor.Data()); mx > bound {
			t.Errorf("%s: |max| %v > %v", p.Name, mx, bound)
		}
	}
}
