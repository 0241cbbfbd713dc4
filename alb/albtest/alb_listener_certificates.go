package albtest

import (
	"slices"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
)

// The additional certificates of HTTPS and QUIC listeners:
// AssociateAdditionalCertificatesWithListener,
// DissociateAdditionalCertificatesFromListener and ListListenerCertificates.
// An association is a Configuring transition of the listener (changeLsn):
// meanwhile the certificates read Associating or Dissociating, and when it
// completes they are Associated or gone. Associating a certificate the
// listener already has, or dissociating one it does not have, changes
// nothing (GUESS: idempotent, as adding a server again).

// maxCertsPerCall is the certificates one association call takes (SDK, for
// dissociation; GUESS the same for association).
const maxCertsPerCall = 20

// additionalCerts counts the additional certificates of instance lbID.
func (st *state) additionalCerts(lbID string) int {
	n := 0
	for _, l := range st.listenersOf(lbID) {
		n += len(l.certs)
	}
	return n
}

// certCall reads the listener and Certificates.N of an association call
// and checks the listener can take them.
func (s *Server) certCall(c *call) (*lsnState, []string, *apiError) {
	l, e := s.lookupLsn(c, "ListenerId", false)
	if e != nil {
		return nil, nil, e
	}
	ids, e := certIDs(c.p, "Certificates")
	if e != nil {
		return nil, nil, e
	}
	switch {
	case len(ids) == 0:
		return nil, nil, missing("Certificates")
	case len(ids) > maxCertsPerCall:
		return nil, nil, errf(400, "InvalidParameter", "The number of Certificates must be between 1 and %d, not %d.", maxCertsPerCall, len(ids))
	case l.protocol == "HTTP":
		return nil, nil, errf(400, "InvalidParameter", "Certificates apply to HTTPS and QUIC listeners only, not HTTP.")
	}
	return l, dedupe(ids), nil
}

func (l *lsnState) additional(id string) *lsnCert {
	for _, x := range l.certs {
		if x.id == id {
			return x
		}
	}
	return nil
}

func (s *Server) opAssociateAdditionalCertificatesWithListener(c *call) (any, *apiError) {
	l, ids, e := s.certCall(c)
	if e != nil {
		return nil, e
	}
	var fresh []string
	for _, id := range ids {
		if e := s.st.usableCert(id, CertificateTypeServer, "Certificates", c.now); e != nil {
			return nil, e
		}
		if id != l.cert && l.additional(id) == nil {
			fresh = append(fresh, id)
		}
	}
	lb, e := s.lbOfListener(l, c.now)
	if e != nil {
		return nil, e
	}
	if e := lsnNotConfiguring(l); e != nil {
		return nil, e
	}
	if q, n := s.st.quotasOf(lb.edition).AdditionalCertificates, s.st.additionalCerts(lb.id)+len(fresh); n > q {
		return nil, errf(400, "QuotaExceeded.CertificatesNum", "The quota of %s is exceeded, usage %d/%d.", "additional certificates per instance", n, q)
	}
	if c.dryRun {
		return nil, errDryRun
	}
	var added []*lsnCert
	for _, id := range fresh {
		x := &lsnCert{id: id, status: "Associating"}
		l.certs = append(l.certs, x)
		added = append(added, x)
	}
	j := s.changeLsn(l, c, "AssociateAdditionalCertificatesWithListener", func() {
		for _, x := range added {
			x.status = "Associated"
		}
	})
	return &albsdk.AssociateAdditionalCertificatesWithListenerResponseBody{RequestId: sp(c.requestID), JobId: sp(j.id)}, nil
}

func (s *Server) opDissociateAdditionalCertificatesFromListener(c *call) (any, *apiError) {
	l, ids, e := s.certCall(c)
	if e != nil {
		return nil, e
	}
	var gone []*lsnCert
	for _, id := range ids {
		if s.st.certs[id] == nil {
			return nil, notFoundCert(id)
		}
		if x := l.additional(id); x != nil {
			gone = append(gone, x)
		}
	}
	if _, e := s.lbOfListener(l, c.now); e != nil {
		return nil, e
	}
	if e := lsnNotConfiguring(l); e != nil {
		return nil, e
	}
	if c.dryRun {
		return nil, errDryRun
	}
	for _, x := range gone {
		x.status = "Dissociating"
	}
	j := s.changeLsn(l, c, "DissociateAdditionalCertificatesFromListener", func() {
		l.certs = slices.DeleteFunc(l.certs, func(x *lsnCert) bool { return slices.Contains(gone, x) })
	})
	return &albsdk.DissociateAdditionalCertificatesFromListenerResponseBody{RequestId: sp(c.requestID), JobId: sp(j.id)}, nil
}

// opListListenerCertificates lists the listener's certificates: the
// default certificate (IsDefault), the additional ones in the order they
// were associated, and the CA certificate (CertificateType Ca). It counts
// as a read (a poll) of the listener.
func (s *Server) opListListenerCertificates(c *call) (any, *apiError) {
	l, e := s.lookupLsn(c, "ListenerId", true)
	if e != nil {
		return nil, e
	}
	ids, e := list(c.p, "CertificateIds")
	if e != nil {
		return nil, e
	}
	typ, e := enum(c.p, "CertificateType", false, "Ca", "Server")
	if e != nil {
		return nil, e
	}
	type row struct {
		id, typ, status string
		def             bool
	}
	var rows []row
	if l.cert != "" {
		rows = append(rows, row{l.cert, "Server", "Associated", true})
	}
	for _, x := range l.certs {
		rows = append(rows, row{x.id, "Server", x.status, false})
	}
	if l.caCert != "" {
		rows = append(rows, row{l.caCert, "Ca", "Associated", true})
	}
	rows = slices.DeleteFunc(rows, func(r row) bool { return !inFilter(ids, r.id) || typ != "" && typ != r.typ })
	start, end, maxResults, next, e := page(c.p, len(rows))
	if e != nil {
		return nil, e
	}
	out := &albsdk.ListListenerCertificatesResponseBody{
		RequestId: sp(c.requestID), MaxResults: int32Ptr(int32(maxResults)), NextToken: sp(next),
		TotalCount: int32Ptr(int32(len(rows))), Certificates: []*albsdk.ListListenerCertificatesResponseBodyCertificates{},
	}
	for _, r := range rows[start:end] {
		out.Certificates = append(out.Certificates, &albsdk.ListListenerCertificatesResponseBodyCertificates{
			CertificateId: sp(r.id), CertificateType: sp(r.typ), IsDefault: boolPtr(r.def), Status: sp(r.status),
		})
	}
	return out, nil
}
