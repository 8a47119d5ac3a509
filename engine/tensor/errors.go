package tensor

import (
	"errors"
	"fmt"
	"strings"
)

// ShapeError reports shapes that an op cannot work with. Its message names
// the op and every shape involved, for example
//
//	tensor: matmul: shapes [2 3] and [4 5]: inner dimensions 3 and 4 differ
type ShapeError struct {
	Op     string  // the op, in lower case ("matmul", "reshape", ...)
	Shapes [][]int // the shapes involved (copies)
	Reason string  // what is wrong with them
}

func (e *ShapeError) Error() string {
	var b strings.Builder
	b.WriteString("tensor: ")
	b.WriteString(e.Op)
	switch len(e.Shapes) {
	case 0:
	case 1:
		fmt.Fprintf(&b, ": shape %v", e.Shapes[0])
	default:
		b.WriteString(": shapes ")
		for i, s := range e.Shapes {
			if i > 0 {
				if i == len(e.Shapes)-1 {
					b.WriteString(" and ")
				} else {
					b.WriteString(", ")
				}
			}
			fmt.Fprintf(&b, "%v", s)
		}
	}
	if e.Reason != "" {
		b.WriteString(": ")
		b.WriteString(e.Reason)
	}
	return b.String()
}

// Sentinel errors, wrapped (errors.Is) by the errors the ops return.
var (
	// ErrDType: the operands of an op have different dtypes.
	ErrDType = errors.New("dtype mismatch")
	// ErrIndex: an index (gather, index-select, target class) is out of range.
	ErrIndex = errors.New("index out of range")
	// ErrNil: a nil *Tensor was passed to an op.
	ErrNil = errors.New("nil tensor")
	// ErrGrad: Backward was called on a tensor that cannot start a backward pass.
	ErrGrad = errors.New("cannot run backward")
)

// Must returns t, and panics if err is not nil. It is meant for tests,
// examples and shapes known to be valid.
func Must(t *Tensor, err error) *Tensor {
	if err != nil {
		panic(err)
	}
	return t
}

// shapeErr builds a *ShapeError. The shapes are copied, so callers may pass
// stack slices without making them escape.
func shapeErr(op, reason string, shapes ...[]int) error {
	e := &ShapeError{Op: op, Reason: reason, Shapes: make([][]int, len(shapes))}
	for i, s := range shapes {
		e.Shapes[i] = cloneInts(s)
	}
	return e
}

func dtypeErr(op string, a, b DType) error {
	return fmt.Errorf("tensor: %s: %w: %v and %v", op, ErrDType, a, b)
}

func nilErr(op string) error {
	return fmt.Errorf("tensor: %s: %w", op, ErrNil)
}

func indexErr(op string, idx, size int) error {
	return fmt.Errorf("tensor: %s: %w: index %d for size %d", op, ErrIndex, idx, size)
}

func cloneInts(s []int) []int {
	if s == nil {
		return []int{}
	}
	c := make([]int, len(s))
	copy(c, s)
	return c
}

// checkPair validates two operands: non-nil and the same dtype.
func checkPair(op string, a, b *Tensor) error {
	if a == nil || b == nil {
		return nilErr(op)
	}
	if a.dtype != b.dtype {
		return dtypeErr(op, a.dtype, b.dtype)
	}
	return nil
}
