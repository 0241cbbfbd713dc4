package albtest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"time"
)

// TLS of HTTPS and QUIC listeners. Each Server has a test CA of its own
// (CACertificate, CACertPool, GET /_albtest/dataplane/ca); for every
// server certificate of the world a listener uses, the data plane issues a
// real certificate from that CA for the certificate's domains (wildcards
// included), so a client that trusts the CA verifies the listener as it
// would verify the service. The client's SNI picks the certificate: a
// listener's default and additional certificates are searched for an exact
// name, then a wildcard one, and the default certificate answers
// otherwise. The security policy sets the TLS versions and the TLS 1.2
// cipher suites (those Go implements; TLS 1.3 suites are not configurable
// in Go). Certificates use one RSA-2048 key per process (the policies'
// suites are ECDHE-RSA and RSA ones), and the CA an ECDSA P-256 key.
//
// Mutual TLS (CaEnabled): each CA certificate of the world stands for a
// CA the data plane makes on first use; a listener with CaEnabled asks for
// and verifies a client certificate issued by it, which ClientCertificate
// (or POST /_albtest/dataplane/client-certificates) issues.

// dpTLS is a Server's certificate authority and the certificates issued.
type dpTLS struct {
	once   sync.Once
	err    error
	ca     *x509.Certificate
	caKey  *ecdsa.PrivateKey
	caPool *x509.CertPool

	mu      sync.Mutex
	leaves  map[string]*tls.Certificate // by certificate ID and domains
	clients map[string]*issuer          // mutual-TLS CAs by CA certificate ID
}

// issuer is a CA that signs certificates.
type issuer struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
}

// leafKey is the key of every issued server certificate.
var leafKey = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	return n
}

// newIssuer makes a self-signed CA named cn, valid ten years from now (by
// the wall clock: clients verify against it).
func newIssuer(cn string) (*issuer, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial(), Subject: pkix.Name{CommonName: cn, Organization: []string{"albtest"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(10, 0, 0),
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature, BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &issuer{cert: cert, key: key, pool: pool}, nil
}

// issue signs a certificate for pub.
func (is *issuer) issue(tmpl *x509.Certificate, pub crypto.PublicKey) ([]byte, error) {
	return x509.CreateCertificate(rand.Reader, tmpl, is.cert, pub, is.key)
}

func (t *dpTLS) init() error {
	t.once.Do(func() {
		is, err := newIssuer("albtest data-plane test CA")
		if err != nil {
			t.err = fmt.Errorf("albtest: test CA: %w", err)
			return
		}
		t.ca, t.caKey, t.caPool = is.cert, is.key, is.pool
		t.leaves = map[string]*tls.Certificate{}
		t.clients = map[string]*issuer{}
	})
	return t.err
}

// leaf returns the certificate issued for a world certificate.
func (t *dpTLS) leaf(c certWant) (*tls.Certificate, error) {
	if err := t.init(); err != nil {
		return nil, err
	}
	k := c.id + "|" + strings.Join(c.domains, ",")
	t.mu.Lock()
	defer t.mu.Unlock()
	if l := t.leaves[k]; l != nil {
		return l, nil
	}
	key, err := leafKey()
	if err != nil {
		return nil, err
	}
	now := time.Now()
	notAfter := t.ca.NotAfter
	if !c.notAfter.IsZero() && c.notAfter.Before(notAfter) && c.notAfter.After(now) {
		notAfter = c.notAfter
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(), Subject: pkix.Name{CommonName: c.domains[0], OrganizationalUnit: []string{"certificate " + c.id}},
		DNSNames: c.domains, NotBefore: now.Add(-time.Hour), NotAfter: notAfter,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := (&issuer{cert: t.ca, key: t.caKey}).issue(tmpl, &key.PublicKey)
	if err != nil {
		return nil, err
	}
	leaf, _ := x509.ParseCertificate(der)
	l := &tls.Certificate{Certificate: [][]byte{der, t.ca.Raw}, PrivateKey: key, Leaf: leaf}
	t.leaves[k] = l
	return l, nil
}

// client returns the mutual-TLS CA standing for world CA certificate id.
func (t *dpTLS) client(id string) (*issuer, error) {
	if err := t.init(); err != nil {
		return nil, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if is := t.clients[id]; is != nil {
		return is, nil
	}
	is, err := newIssuer("albtest client CA " + id)
	if err != nil {
		return nil, err
	}
	t.clients[id] = is
	return is, nil
}

// tlsVersionIDs are the API's TLS version names.
var tlsVersionIDs = map[string]uint16{"TLSv1.0": tls.VersionTLS10, "TLSv1.1": tls.VersionTLS11, "TLSv1.2": tls.VersionTLS12, "TLSv1.3": tls.VersionTLS13}

// cipherIDs are the OpenSSL names of the policies' TLS 1.2 suites Go
// implements (ECDHE-RSA-AES256-SHA384, AES256-SHA256 and
// ECDHE-ECDSA-AES256-SHA384 it does not).
var cipherIDs = map[string]uint16{
	"ECDHE-RSA-AES128-GCM-SHA256":   tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	"ECDHE-RSA-AES256-GCM-SHA384":   tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	"ECDHE-RSA-AES128-SHA256":       tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
	"ECDHE-RSA-AES128-SHA":          tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
	"ECDHE-RSA-AES256-SHA":          tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
	"AES128-GCM-SHA256":             tls.TLS_RSA_WITH_AES_128_GCM_SHA256,
	"AES256-GCM-SHA384":             tls.TLS_RSA_WITH_AES_256_GCM_SHA384,
	"AES128-SHA256":                 tls.TLS_RSA_WITH_AES_128_CBC_SHA256,
	"AES128-SHA":                    tls.TLS_RSA_WITH_AES_128_CBC_SHA,
	"AES256-SHA":                    tls.TLS_RSA_WITH_AES_256_CBC_SHA,
	"DES-CBC3-SHA":                  tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA,
	"ECDHE-ECDSA-AES128-GCM-SHA256": tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	"ECDHE-ECDSA-AES256-GCM-SHA384": tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	"ECDHE-ECDSA-AES128-SHA256":     tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
	"ECDHE-ECDSA-AES128-SHA":        tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
	"ECDHE-ECDSA-AES256-SHA":        tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
}

// tlsConfig is the TLS configuration of an HTTPS or QUIC listener.
func (dp *dataPlane) tlsConfig(w lsnWant) (*tls.Config, error) {
	if len(w.certs) == 0 {
		return nil, fmt.Errorf("listener %s has no usable certificate", w.id)
	}
	type named struct {
		cert    *tls.Certificate
		domains []string
	}
	var certs []named
	for _, c := range w.certs {
		l, err := dp.tls.leaf(c)
		if err != nil {
			return nil, err
		}
		certs = append(certs, named{l, c.domains})
	}
	cfg := &tls.Config{
		GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
			name := strings.ToLower(strings.TrimSuffix(hello.ServerName, "."))
			for _, c := range certs {
				for _, d := range c.domains {
					if strings.EqualFold(d, name) {
						return c.cert, nil
					}
				}
			}
			for _, c := range certs {
				for _, d := range c.domains {
					if rest, ok := strings.CutPrefix(strings.ToLower(d), "*."); ok {
						if i := strings.IndexByte(name, '.'); i > 0 && name[i+1:] == rest {
							return c.cert, nil
						}
					}
				}
			}
			return certs[0].cert, nil
		},
	}
	if w.protocol == "HTTPS" {
		cfg.NextProtos = []string{"http/1.1"}
		if w.http2 {
			cfg.NextProtos = []string{"h2", "http/1.1"}
		}
		for _, v := range w.tlsVersions {
			id, ok := tlsVersionIDs[v]
			if !ok {
				continue
			}
			if cfg.MinVersion == 0 || id < cfg.MinVersion {
				cfg.MinVersion = id
			}
			if id > cfg.MaxVersion {
				cfg.MaxVersion = id
			}
		}
		for _, c := range w.ciphers {
			if id, ok := cipherIDs[c]; ok {
				cfg.CipherSuites = append(cfg.CipherSuites, id)
			}
		}
		if w.caID != "" {
			is, err := dp.tls.client(w.caID)
			if err != nil {
				return nil, err
			}
			cfg.ClientAuth = tls.RequireAndVerifyClientCert
			cfg.ClientCAs = is.pool
		}
	}
	return cfg, nil
}

func insecureTLS() *tls.Config {
	return &tls.Config{InsecureSkipVerify: true} //nolint:gosec // backends of a test emulator present self-signed certificates
}

// CACertificate returns the test CA that issues the data plane's server
// certificates (nil with WithoutDataPlane). Clients trust it to verify
// HTTPS and QUIC listeners.
func (s *Server) CACertificate() *x509.Certificate {
	if s.dp == nil || s.dp.tls.init() != nil {
		return nil
	}
	return s.dp.tls.ca
}

// CACertPool returns a pool holding only the test CA (see CACertificate),
// for tls.Config.RootCAs; nil with WithoutDataPlane.
func (s *Server) CACertPool() *x509.CertPool {
	if s.dp == nil || s.dp.tls.init() != nil {
		return nil
	}
	return s.dp.tls.caPool.Clone()
}

// CACertificatePEM returns the test CA in PEM form (GET
// /_albtest/dataplane/ca answers it), for curl --cacert and other tools.
func (s *Server) CACertificatePEM() []byte {
	c := s.CACertificate()
	if c == nil {
		return nil
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

// ClientCertificate issues a client certificate named commonName from the
// CA that the world's CA certificate caCertificateID stands for, for HTTPS
// listeners with mutual TLS (CaEnabled with that CaCertificates ID). It
// fails for an ID that is not a CA certificate of the world, or with
// WithoutDataPlane.
func (s *Server) ClientCertificate(caCertificateID, commonName string) (tls.Certificate, error) {
	if s.dp == nil {
		return tls.Certificate{}, errDataPlaneOff
	}
	s.mu.Lock()
	c := s.st.certs[caCertificateID]
	s.mu.Unlock()
	if c == nil || c.Type != CertificateTypeCA {
		return tls.Certificate{}, fmt.Errorf("%w: CA certificate %s", ErrNotFound, caCertificateID)
	}
	is, err := s.dp.tls.client(caCertificateID)
	if err != nil {
		return tls.Certificate{}, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial(), Subject: pkix.Name{CommonName: commonName, Organization: []string{"albtest"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := is.issue(tmpl, &key.PublicKey)
	if err != nil {
		return tls.Certificate{}, err
	}
	leaf, _ := x509.ParseCertificate(der)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, nil
}
