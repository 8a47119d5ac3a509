package tensor

import "testing"

// FuzzBroadcastShapes feeds arbitrary shapes to shape inference (Add's
// broadcasting, Reshape with -1, Expand, Squeeze/Unsqueeze, MatMul,
// Concat): every outcome must be a tensor or an error, never a panic.
func FuzzBroadcastShapes(f *testing.F) {
	f.Add([]byte{2, 3, 0, 3}, []byte{6, 255})
	f.Add([]byte{2, 1, 3, 0, 4, 1}, []byte{255, 255})
	f.Add([]byte{0, 0}, []byte{0})
	f.Add([]byte{1, 1, 1, 0, 5}, []byte{5, 254, 3})
	f.Fuzz(func(t *testing.T, shapes []byte, target []byte) {
		// shapes: two shapes separated by a 0 byte; sizes are byte%6 (so 0 is
		// possible inside via 6); target: sizes for Reshape/Expand, 255 = -1,
		// 254 = -2.
		var a, b []int
		cur := &a
		for _, c := range shapes {
			if c == 0 && cur == &a {
				cur = &b
				continue
			}
			if len(*cur) < 20 {
				*cur = append(*cur, int(c%6))
			}
		}
		var tgt []int
		for _, c := range target {
			if len(tgt) >= 20 {
				break
			}
			switch c {
			case 255:
				tgt = append(tgt, -1)
			case 254:
				tgt = append(tgt, -2)
			default:
				tgt = append(tgt, int(c%7))
			}
		}
		// bound the work: the product of the non-zero sizes (a reduction over
		// a zero-size dim yields a tensor of the other sizes)
		big := func(s []int) bool {
			n := 1
			for _, d := range s {
				n *= max(d, 1)
			}
			return n > 4096
		}
		if !validShape(a) || !validShape(b) || big(a) || big(b) {
			return
		}
		x, errx := Zeros(a...)
		y, erry := Zeros(b...)
		if errx != nil || erry != nil {
			t.Fatalf("zeros: %v %v", errx, erry)
		}
		x.SetRequiresGrad(true)
		if s, err := Add(x, y); err == nil {
			if l, err := s.SumAll(); err == nil {
				_ = l.Backward()
			}
		}
		_, _ = x.Reshape(tgt...)
		_, _ = x.View(tgt...)
		_, _ = x.Expand(tgt...)
		_, _ = MatMul(x, y)
		_, _ = Concat([]*Tensor{x, y}, len(a)-1)
		_, _ = Where(y, x, x)
		_, _ = x.MaskedFill(y, 1)
		for _, d := range tgt {
			_, _ = x.Unsqueeze(d)
			_, _ = x.Squeeze(d)
			_, _ = x.Sum([]int{d}, true)
			_, _ = x.Softmax(d)
			_, _ = x.Slice(d, -2, 3, 1)
			_, _ = x.Narrow(d, 1, 1)
			_, _ = x.Split(1, d)
			_, _ = x.Transpose(0, d)
		}
	})
}
