package albtest

import (
	"fmt"
	"maps"
	"net"
	"net/netip"
	"slices"
	"strconv"
)

// Where the data plane reaches a backend server: an Ip server at its own
// address (loopback included, so that a test registers its own httptest
// servers), any server at the local address the world maps its private
// address to (World.BackendAddresses, WithBackendAddress,
// MapBackendAddress), and an Instance server (ECS, ENI, ECI) only through
// that map: its private address belongs to the emulated VPC, not to this
// machine.

// WithBackendAddress maps a backend's private address and port
// ("10.0.1.10:80") to the local address the data plane reaches it at
// ("127.0.0.1:8080"), in the world a Server starts with and after every
// Reset (see World.BackendAddresses). NewServer panics and Start returns an
// error when either address is malformed.
func WithBackendAddress(privateAddr, localAddr string) Option {
	return func(c *config) {
		if err := checkBackendAddress(privateAddr, localAddr); err != nil {
			c.errs = append(c.errs, err)
			return
		}
		if c.backendAddrs == nil {
			c.backendAddrs = map[string]string{}
		}
		c.backendAddrs[privateAddr] = localAddr
	}
}

// MapBackendAddress maps a backend's private address and port to a local
// address at runtime (see World.BackendAddresses); an empty localAddr
// removes the mapping. Traffic and health checks use it from the next
// request and probe on. Reset restores the world's map.
func (s *Server) MapBackendAddress(privateAddr, localAddr string) error {
	if localAddr != "" {
		if err := checkBackendAddress(privateAddr, localAddr); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if localAddr == "" {
		delete(s.st.addrs, privateAddr)
	} else {
		s.st.addrs[privateAddr] = localAddr
	}
	return nil
}

// BackendAddresses returns the map of private backend addresses to local
// ones in force.
func (s *Server) BackendAddresses() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.st.addrs)
}

// checkBackendAddress checks one entry of the map: an IP address and port,
// and a host and port.
func checkBackendAddress(privateAddr, localAddr string) error {
	ap, err := netip.ParseAddrPort(privateAddr)
	if err != nil || ap.Port() == 0 {
		return fmt.Errorf("albtest: backend address %q: want a private IP address and port such as 10.0.1.10:80", privateAddr)
	}
	h, p, err := net.SplitHostPort(localAddr)
	if n, perr := strconv.Atoi(p); err != nil || h == "" || perr != nil || n < 1 || n > 65535 {
		return fmt.Errorf("albtest: backend address %s: local address %q: want HOST:PORT such as 127.0.0.1:8080", privateAddr, localAddr)
	}
	return nil
}

// mergeAddrs returns a copy of base with extra's entries set.
func mergeAddrs(base, extra map[string]string) map[string]string {
	if len(extra) == 0 {
		return base
	}
	out := maps.Clone(base)
	if out == nil {
		out = map[string]string{}
	}
	maps.Copy(out, extra)
	return out
}

// dialAddr is where the data plane reaches member m of a group on port
// (its own, or the health check's): "" when it cannot be reached.
func (st *state) dialAddr(m *sgServer, port int32) string {
	priv := net.JoinHostPort(m.ip, strconv.Itoa(int(port)))
	if local, ok := st.addrs[priv]; ok {
		return local
	}
	if m.typ == ServerTypeIP {
		return priv
	}
	return ""
}

// sortedAddrs lists the map as "private=local" in order (the standalone
// program's summary).
func sortedAddrs(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	slices.Sort(out)
	return out
}
