package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// clientIDHelp says why the consumer key has two other ways in.
const clientIDHelp = "the External Client App's consumer key; '-' reads it from standard input. " +
	"A key given on the command line shows in ps and in shell history: prefer --client-id-file or '-'"

// maxClientIDBytes bounds a consumer key read from a file or standard input.
const maxClientIDBytes = 4096

// clientIDFlags are --client-id and --client-id-file.
type clientIDFlags struct {
	value, file string
}

func (c *clientIDFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.value, "client-id", "", clientIDHelp)
	fs.StringVar(&c.file, "client-id-file", "", "a file holding the consumer key (keep it mode 0600)")
}

// given reports whether either flag was used.
func (c *clientIDFlags) given() bool { return c.value != "" || c.file != "" }

// read returns the consumer key from the flag, the file or standard input.
func (c *clientIDFlags) read(stdin io.Reader) (string, error) {
	switch {
	case c.value != "" && c.file != "":
		return "", errors.New("use --client-id or --client-id-file, not both")
	case c.file != "":
		f, err := os.Open(c.file)
		if err != nil {
			return "", fmt.Errorf("cannot read --client-id-file: %v", err)
		}
		defer f.Close()
		return readBounded(f, "--client-id-file")
	case c.value == "-":
		if stdin == nil {
			return "", errors.New("--client-id - reads standard input, and there is none")
		}
		return readBounded(stdin, "standard input")
	}
	return c.value, nil
}

func readBounded(r io.Reader, what string) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxClientIDBytes+1))
	if err != nil {
		return "", fmt.Errorf("cannot read the consumer key from %s: %v", what, err)
	}
	if len(b) > maxClientIDBytes {
		return "", fmt.Errorf("the consumer key in %s is longer than %d bytes: is it the right file?", what, maxClientIDBytes)
	}
	return strings.TrimSpace(string(b)), nil
}
