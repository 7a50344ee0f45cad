package emulator

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"time"
)

// Server is an Emulator listening on a TCP address.
type Server struct {
	URL  string // http://HOST:PORT, with the port actually bound
	srv  *http.Server
	done chan struct{}
}

// Start listens on addr (port 0 picks a free port) and serves e until Close.
// URL names the host as addr does when that is localhost: a browser counts
// localhost and 127.0.0.1 as two sites, and the org's session cookie
// reaches the Embedding SDK's frames only on a page of the same site.
func Start(addr string, e *Emulator) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	url := "http://" + ln.Addr().String()
	if host, _, _ := net.SplitHostPort(addr); strings.EqualFold(host, "localhost") {
		_, port, _ := net.SplitHostPort(ln.Addr().String())
		url = "http://localhost:" + port
	}
	s := &Server{
		URL: url,
		srv: &http.Server{
			Handler:           e,
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       time.Minute,
			WriteTimeout:      time.Minute,
			IdleTimeout:       2 * time.Minute,
			MaxHeaderBytes:    64 << 10,
		},
		done: make(chan struct{}),
	}
	go func() {
		defer close(s.done)
		s.srv.Serve(ln)
	}()
	return s, nil
}

// Close stops the server: requests in flight get up to five seconds to
// finish, then connections are cut.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = s.srv.Close()
	}
	<-s.done
	return err
}
