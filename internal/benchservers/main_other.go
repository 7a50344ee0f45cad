//go:build !unix

package main

import "fmt"

// The benchmark reads /proc and starts servers in process groups: Linux
// (and other Unix) only.
func main() { fmt.Println("benchservers runs on Linux") }
