package alb

// CertificateType is the kind of a certificate of a listener
// (CertificateType in ListListenerCertificates).
type CertificateType string

// The certificate types.
const (
	CertificateServer CertificateType = "Server" // a server certificate: the default or an additional (SNI) one
	CertificateCA     CertificateType = "Ca"     // a CA certificate of mutual TLS
)

// CertificateStatus is the association status of a listener's certificate.
type CertificateStatus string

// The association statuses (SDK ListListenerCertificates; one response
// model spells Dissociating "Diassociating": albkit reads both as
// CertificateDissociating).
const (
	CertificateAssociating  CertificateStatus = "Associating"
	CertificateAssociated   CertificateStatus = "Associated"
	CertificateDissociating CertificateStatus = "Dissociating"
)

// ListenerCertificate is a certificate of an HTTPS or QUIC listener as
// ListListenerCertificates reports it. The IDs are those of Certificate
// Management Service (CAS) certificates.
type ListenerCertificate struct {
	ID      string            // the certificate ID
	Type    CertificateType   // Server or Ca
	Default bool              // the listener's default certificate (IsDefault)
	Status  CertificateStatus // Associating, Associated or Dissociating
}

// additionalCertificates returns the IDs of the additional server
// certificates that are associated or being associated (not the default
// one, not CA certificates, not those being dissociated), in order.
func additionalCertificates(certs []ListenerCertificate) []string {
	var out []string
	for _, c := range certs {
		if c.Default || (c.Type != "" && c.Type != CertificateServer) || c.Status == CertificateDissociating {
			continue
		}
		out = append(out, c.ID)
	}
	return out
}
