package tensor

// Function forms of the one-tensor ops, like torch.relu(x) beside
// x.relu(): each is exactly the method of the same name.

// Neg returns -x.
func Neg(x *Tensor) (*Tensor, error) { return x.Neg() }

// Exp returns e**x.
func Exp(x *Tensor) (*Tensor, error) { return x.Exp() }

// Log returns the natural logarithm of x.
func Log(x *Tensor) (*Tensor, error) { return x.Log() }

// Sqrt returns the square root of x.
func Sqrt(x *Tensor) (*Tensor, error) { return x.Sqrt() }

// Abs returns |x|.
func Abs(x *Tensor) (*Tensor, error) { return x.Abs() }

// Tanh returns tanh(x).
func Tanh(x *Tensor) (*Tensor, error) { return x.Tanh() }

// Sigmoid returns 1/(1+e**-x).
func Sigmoid(x *Tensor) (*Tensor, error) { return x.Sigmoid() }

// ReLU returns max(x, 0).
func ReLU(x *Tensor) (*Tensor, error) { return x.ReLU() }

// LeakyReLU returns x where x > 0 and slope*x elsewhere.
func LeakyReLU(x *Tensor, slope float64) (*Tensor, error) { return x.LeakyReLU(slope) }

// GELU returns the exact (erf) GELU of x.
func GELU(x *Tensor) (*Tensor, error) { return x.GELU() }

// Clamp limits x to [lo, hi].
func Clamp(x *Tensor, lo, hi float64) (*Tensor, error) { return x.Clamp(lo, hi) }

// Sum sums x over dims (all when empty).
func Sum(x *Tensor, dims []int, keepdim bool) (*Tensor, error) { return x.Sum(dims, keepdim) }

// Mean averages x over dims (all when empty).
func Mean(x *Tensor, dims []int, keepdim bool) (*Tensor, error) { return x.Mean(dims, keepdim) }

// SumAll returns the 0-d sum of all elements of x.
func SumAll(x *Tensor) (*Tensor, error) { return x.SumAll() }

// MeanAll returns the 0-d mean of all elements of x.
func MeanAll(x *Tensor) (*Tensor, error) { return x.MeanAll() }

// Softmax returns the softmax of x along dim.
func Softmax(x *Tensor, dim int) (*Tensor, error) { return x.Softmax(dim) }

// LogSoftmax returns the log-softmax of x along dim.
func LogSoftmax(x *Tensor, dim int) (*Tensor, error) { return x.LogSoftmax(dim) }
