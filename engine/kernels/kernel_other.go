//go:build !amd64 || purego

package kernels

// registerArch adds nothing: this build has only the pure-Go path.
func registerArch() {}
