package preview

import (
	"errors"
	"os/exec"
	"runtime"
)

// OpenBrowser opens url in the person's browser, as their desktop does.
func OpenBrowser(url string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", url)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		cmd = exec.Command("xdg-open", url)
	}
	if err := cmd.Start(); err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return errors.New("this system has no " + cmd.Args[0] + " to open a browser with (Debian/Ubuntu: sudo apt install xdg-utils); open the address by hand")
		}
		return err
	}
	go cmd.Wait() // the opener may outlive the call; reap it
	return nil
}
