package tensor

// SetConvDirectMode sets the convolution algorithm for a test (0 auto, 1
// direct wherever supported, −1 im2col) and returns a function restoring
// the previous mode.
func SetConvDirectMode(m int) (restore func()) {
	prev := convDirectMode
	convDirectMode = m
	return func() { convDirectMode = prev }
}
