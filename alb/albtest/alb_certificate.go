package albtest

import (
	"fmt"
	"slices"
	"time"
)

// The certificate store of the world: the Certificate Management Service
// (CAS) certificates listeners reference by ID (Certificates.N.CertificateId,
// CaCertificates.N.CertificateId, AssociateAdditionalCertificatesWithListener).
// The emulator keeps what the listener operations check (the ID, the type,
// the expiry) and the names a server certificate covers, so that a data
// plane can issue a real certificate for the same names from a test CA.

// Certificate types.
const (
	CertificateTypeServer = "Server" // a server certificate: a listener's default or an additional certificate
	CertificateTypeCA     = "Ca"     // a CA certificate: a listener's mutual-TLS CA (CaCertificates)
)

// Identifiers of the certificates of the default world, CAS-style numeric
// IDs.
const (
	// CertificateExample covers example.com and *.example.com, valid until
	// 2036.
	CertificateExample = "12315790001"
	// CertificateAPI covers api.example.com, valid until 2036.
	CertificateAPI = "12315790002"
	// CertificateOrg covers example.org and www.example.org, valid until
	// 2036.
	CertificateOrg = "12315790003"
	// CertificateExpired covers expired.example.com and expired on
	// 2024-01-01: listeners refuse it.
	CertificateExpired = "12315790004"
	// CertificateCA is a CA certificate ("albtest test CA"), valid until
	// 2036: the mutual-TLS CA of HTTPS listeners.
	CertificateCA = "12315790005"
)

// Certificate is a certificate of the world (World.Certificates,
// AddCertificate). Its JSON form is the world file's.
type Certificate struct {
	CertificateID string `json:"certificateId"` // the CAS certificate ID listeners name
	// Type is CertificateTypeServer ("" means Server) or CertificateTypeCA.
	Type string `json:"type,omitempty"`
	// Domains are the names a server certificate covers, the first one its
	// common name (wildcards such as *.example.com allowed); a CA
	// certificate has its name here.
	Domains []string `json:"domains"`
	// NotAfter is the end of its validity: past it (by the server clock)
	// the certificate is expired and listeners refuse it.
	NotAfter time.Time `json:"notAfter"`
}

// defaultCertificates are the certificates of the default world.
func defaultCertificates(w *World) {
	valid := time.Date(2036, 1, 1, 0, 0, 0, 0, time.UTC)
	w.Certificates = []Certificate{
		{CertificateID: CertificateExample, Type: CertificateTypeServer, Domains: []string{"example.com", "*.example.com"}, NotAfter: valid},
		{CertificateID: CertificateAPI, Type: CertificateTypeServer, Domains: []string{"api.example.com"}, NotAfter: valid},
		{CertificateID: CertificateOrg, Type: CertificateTypeServer, Domains: []string{"example.org", "www.example.org"}, NotAfter: valid},
		{CertificateID: CertificateExpired, Type: CertificateTypeServer, Domains: []string{"expired.example.com"},
			NotAfter: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)},
		{CertificateID: CertificateCA, Type: CertificateTypeCA, Domains: []string{"albtest test CA"}, NotAfter: valid},
	}
}

// validateCertificate checks one certificate of a world whose IDs so far
// are ids (it adds its own).
func validateCertificate(c Certificate, ids map[string]bool) error {
	if c.CertificateID == "" || ids[c.CertificateID] {
		return fmt.Errorf("albtest: world: empty or duplicate certificate id %q", c.CertificateID)
	}
	ids[c.CertificateID] = true
	if c.Type != "" && c.Type != CertificateTypeServer && c.Type != CertificateTypeCA {
		return fmt.Errorf("albtest: world: certificate %s: type %q (want Server or Ca)", c.CertificateID, c.Type)
	}
	if len(c.Domains) == 0 || slices.Contains(c.Domains, "") {
		return fmt.Errorf("albtest: world: certificate %s: no domains or an empty one", c.CertificateID)
	}
	if c.NotAfter.IsZero() {
		return fmt.Errorf("albtest: world: certificate %s: no notAfter", c.CertificateID)
	}
	return nil
}

// addCertificate registers a checked certificate in the state.
func (st *state) addCertificate(c Certificate) {
	c.Domains = slices.Clone(c.Domains)
	if c.Type == "" {
		c.Type = CertificateTypeServer
	}
	st.certs[c.CertificateID] = &c
	st.certOrder = append(st.certOrder, c.CertificateID)
}

// AddCertificate adds a certificate to the world at runtime (Type ""
// means Server). Reset forgets it unless it is in the seeded world.
func (s *Server) AddCertificate(c Certificate) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := map[string]bool{}
	for id := range s.st.certs {
		ids[id] = true
	}
	if err := validateCertificate(c, ids); err != nil {
		return err
	}
	s.st.addCertificate(c)
	return nil
}

// Certificates returns the certificates of the world, in the order they
// were added.
func (s *Server) Certificates() []Certificate {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Certificate, 0, len(s.st.certOrder))
	for _, id := range s.st.certOrder {
		c := *s.st.certs[id]
		c.Domains = slices.Clone(c.Domains)
		out = append(out, c)
	}
	return out
}

func notFoundCert(id string) *apiError {
	return errf(404, "ResourceNotFound.Certificate", "The specified resource %s is not found.", truncate(id, 64))
}

// usableCert checks that the certificate id exists, has type typ and has
// not expired (by now), for a listener field named by field.
func (st *state) usableCert(id, typ, field string, now time.Time) *apiError {
	c := st.certs[id]
	if c == nil {
		return notFoundCert(id)
	}
	if c.Type != typ {
		return errf(400, "InvalidParameter", "The certificate %s given in %s is a %s certificate, not a %s certificate.", id, field, c.Type, typ)
	}
	if !now.Before(c.NotAfter) {
		return errf(400, "IncorrectStatus.Certificate", "The certificate %s expired on %s.", id, ts(c.NotAfter))
	}
	return nil
}

// certificateJSON is one certificate as GET /_albtest/certificates answers
// it: this exact shape (tools outside the project read it).
type certificateJSON struct {
	CertificateID string    `json:"CertificateId"`
	Type          string    `json:"Type"`
	Domain        string    `json:"Domain"`
	NotAfter      time.Time `json:"NotAfter"`
	Expired       bool      `json:"Expired"`
}

// certificatesAnswer is the control API's list of certificates.
func (s *Server) certificatesAnswer() any {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	out := struct {
		Certificates []certificateJSON `json:"certificates"`
	}{Certificates: []certificateJSON{}}
	for _, id := range s.st.certOrder {
		c := s.st.certs[id]
		out.Certificates = append(out.Certificates, certificateJSON{
			CertificateID: c.CertificateID, Type: c.Type, Domain: c.Domains[0], NotAfter: c.NotAfter.UTC(), Expired: !now.Before(c.NotAfter),
		})
	}
	return out
}
