package ckpt

import (
	"encoding/json"
	"fmt"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// Dim is a size in a Spec that may also be written "auto": Build infers
// it from the spec's input shape (an in_features, in_channels or
// num_features) or, for a vocabulary size, the caller fills it with
// Spec.SetVocab before building.
type Dim int

// Auto is the value of a Dim written "auto".
const Auto Dim = -1

// MarshalJSON writes a number, or "auto".
func (d Dim) MarshalJSON() ([]byte, error) {
	if d == Auto {
		return []byte(`"auto"`), nil
	}
	return []byte(strconv.Itoa(int(d))), nil
}

// UnmarshalJSON reads a whole number or "auto".
func (d *Dim) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		return d.parse(s)
	}
	var n int
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("want a whole number or \"auto\", got %s", b)
	}
	*d = Dim(n)
	return nil
}

// MarshalYAML writes a number, or "auto".
func (d Dim) MarshalYAML() (any, error) {
	if d == Auto {
		return "auto", nil
	}
	return int(d), nil
}

// UnmarshalYAML reads a whole number or "auto".
func (d *Dim) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: want a whole number or \"auto\"", n.Line)
	}
	if err := d.parse(n.Value); err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	return nil
}

func (d *Dim) parse(s string) error {
	if s == "auto" {
		*d = Auto
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("want a whole number or \"auto\", got %q", s)
	}
	*d = Dim(n)
	return nil
}

// Pair is a 2-d geometry argument (kernel, stride, padding, dilation,
// output size) written as one number for both dimensions or as
// [height, width], like PyTorch's int-or-tuple arguments. One-dimensional
// layers take a single number.
type Pair [2]int

// single reports whether both entries are equal (p was written as one
// number).
func (p Pair) single() bool { return p[0] == p[1] }

// MarshalJSON writes one number when both entries agree.
func (p Pair) MarshalJSON() ([]byte, error) {
	if p.single() {
		return json.Marshal(p[0])
	}
	return json.Marshal([2]int(p))
}

// UnmarshalJSON reads a number or a list of two.
func (p *Pair) UnmarshalJSON(b []byte) error {
	var n int
	if json.Unmarshal(b, &n) == nil {
		*p = Pair{n, n}
		return nil
	}
	var a []int
	if err := json.Unmarshal(b, &a); err != nil || len(a) != 2 {
		return fmt.Errorf("want a number or [height, width], got %s", b)
	}
	*p = Pair{a[0], a[1]}
	return nil
}

// MarshalYAML writes one number when both entries agree.
func (p Pair) MarshalYAML() (any, error) {
	if p.single() {
		return p[0], nil
	}
	return []int{p[0], p[1]}, nil
}

// UnmarshalYAML reads a number or a list of two.
func (p *Pair) UnmarshalYAML(n *yaml.Node) error {
	var v int
	if n.Kind == yaml.ScalarNode && n.Decode(&v) == nil {
		*p = Pair{v, v}
		return nil
	}
	var a []int
	if err := n.Decode(&a); err != nil || len(a) != 2 {
		return fmt.Errorf("line %d: want a number or [height, width]", n.Line)
	}
	*p = Pair{a[0], a[1]}
	return nil
}
