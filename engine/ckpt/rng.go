package ckpt

import (
	"fmt"
	"reflect"
	"strconv"

	"github.com/kaiwu-ai/kaiwu/engine/nn"
	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

// NamedRNG is a random generator that a module draws from while it runs
// (dropout masks), with the path that reaches it from the model.
type NamedRNG struct {
	// Name is the path of exported field names and slice indices from
	// the model to the generator, joined by dots ("Layers.2.RNG");
	// embedded structs add no element.
	Name string
	RNG  *tensor.RNG
}

// RNGState is the saved state of every generator of a model, by NamedRNG
// name, each as tensor.RNG.MarshalBinary encodes it.
type RNGState map[string][]byte

// RNGs returns the generators reachable from m through exported fields,
// embedded structs, pointers, interfaces (child modules), slices and
// arrays, in field order, each generator once (under the first path that
// reaches it: modules built from one spec may share a generator). Nil
// generators are skipped. Saving and restoring their states is what
// makes a resumed run with dropout continue bit for bit.
func RNGs(m nn.Module) []NamedRNG {
	w := rngWalker{seen: map[uintptr]bool{}, got: map[*tensor.RNG]bool{}}
	if m != nil {
		w.walk(reflect.ValueOf(m), "")
	}
	return w.out
}

// SaveRNGs returns the states of m's generators (see RNGs); nil when m
// has none.
func SaveRNGs(m nn.Module) (RNGState, error) {
	rs := RNGs(m)
	if len(rs) == 0 {
		return nil, nil
	}
	st := make(RNGState, len(rs))
	for _, r := range rs {
		b, err := r.RNG.MarshalBinary()
		if err != nil {
			return nil, fmt.Errorf("ckpt: generator %s: %w", r.Name, err)
		}
		st[r.Name] = b
	}
	return st, nil
}

// LoadRNGs restores the states saved by SaveRNGs into m's generators.
// Every saved name must name a generator of m; a generator of m that st
// does not mention keeps its state (a checkpoint written before
// generator states were saved). It checks everything before changing
// anything.
func LoadRNGs(m nn.Module, st RNGState) error {
	byName := map[string]*tensor.RNG{}
	for _, r := range RNGs(m) {
		byName[r.Name] = r.RNG
	}
	next := make(map[string]*tensor.RNG, len(st))
	for name, b := range st {
		if _, ok := byName[name]; !ok {
			return fmt.Errorf("ckpt: saved generator state %q: the model has no generator there (it has %d)", name, len(byName))
		}
		nr := new(tensor.RNG)
		if err := nr.UnmarshalBinary(b); err != nil {
			return fmt.Errorf("ckpt: saved generator state %q: %w", name, err)
		}
		next[name] = nr
	}
	for name, nr := range next {
		*byName[name] = *nr
	}
	return nil
}

var (
	rngType    = reflect.TypeFor[*tensor.RNG]()
	tensorType = reflect.TypeFor[*tensor.Tensor]()
)

type rngWalker struct {
	seen map[uintptr]bool // struct pointers visited
	got  map[*tensor.RNG]bool
	out  []NamedRNG
}

func join(path, elem string) string {
	if path == "" {
		return elem
	}
	return path + "." + elem
}

func (w *rngWalker) walk(v reflect.Value, path string) {
	switch v.Kind() {
	case reflect.Interface:
		if !v.IsNil() {
			w.walk(v.Elem(), path)
		}
	case reflect.Pointer:
		if v.IsNil() || v.Type() == tensorType {
			return
		}
		if v.Type() == rngType {
			if !v.CanInterface() {
				return
			}
			r := v.Interface().(*tensor.RNG)
			if !w.got[r] {
				w.got[r] = true
				w.out = append(w.out, NamedRNG{Name: path, RNG: r})
			}
			return
		}
		if p := v.Pointer(); !w.seen[p] {
			w.seen[p] = true
			w.walk(v.Elem(), path)
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			switch {
			case f.Anonymous:
				w.walk(v.Field(i), path)
			case f.IsExported():
				w.walk(v.Field(i), join(path, f.Name))
			}
		}
	case reflect.Slice, reflect.Array:
		if scalar(v.Type().Elem().Kind()) {
			return
		}
		for i := range v.Len() {
			w.walk(v.Index(i), join(path, strconv.Itoa(i)))
		}
	}
}

// scalar reports kinds that cannot lead to a generator, so that large
// numeric slices are not walked element by element.
func scalar(k reflect.Kind) bool {
	switch k {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128, reflect.String:
		return true
	}
	return false
}
