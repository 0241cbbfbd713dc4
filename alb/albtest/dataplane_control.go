package albtest

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/http"
)

// Control API endpoints of the data plane (routes in ctlRoutes,
// control.go).

// ctlRaw is a control API answer that is not JSON.
type ctlRaw struct {
	contentType string
	body        []byte
}

// dataPlaneAnswer is GET /_albtest/dataplane: this exact shape (tools
// outside the project read it).
type dataPlaneAnswer struct {
	Listeners []DataPlaneListener `json:"listeners"`
}

func ctlDataPlane(s *Server, _ *http.Request) (any, error) {
	return dataPlaneAnswer{Listeners: s.DataPlane()}, nil
}

func ctlDataPlaneCA(s *Server, _ *http.Request) (any, error) {
	b := s.CACertificatePEM()
	if b == nil {
		return nil, ctlErrorf(http.StatusConflict, "the data plane is off (-no-data-plane, albtest.WithoutDataPlane)")
	}
	return ctlRaw{contentType: "application/x-pem-file", body: b}, nil
}

func ctlBackendAddrs(s *Server, _ *http.Request) (any, error) {
	return s.BackendAddresses(), nil
}

func ctlMapBackendAddr(s *Server, r *http.Request) (any, error) {
	var in struct {
		PrivateAddress string `json:"privateAddress"`
		LocalAddress   string `json:"localAddress"`
	}
	if err := decodeBody(r, &in); err != nil {
		return nil, err
	}
	if err := s.MapBackendAddress(in.PrivateAddress, in.LocalAddress); err != nil {
		return nil, ctlErrorf(http.StatusBadRequest, "%v", err)
	}
	return s.BackendAddresses(), nil
}

func ctlClientCert(s *Server, r *http.Request) (any, error) {
	var in struct {
		CACertificateID string `json:"caCertificateId"`
		CommonName      string `json:"commonName"`
	}
	if err := decodeBody(r, &in); err != nil {
		return nil, err
	}
	if in.CACertificateID == "" || in.CommonName == "" {
		return nil, ctlErrorf(http.StatusBadRequest, "give caCertificateId and commonName")
	}
	if s.dp == nil {
		return nil, ctlErrorf(http.StatusConflict, "the data plane is off (-no-data-plane, albtest.WithoutDataPlane)")
	}
	c, err := s.ClientCertificate(in.CACertificateID, in.CommonName)
	if err != nil {
		return nil, err
	}
	key, err := x509.MarshalPKCS8PrivateKey(c.PrivateKey)
	if err != nil {
		return nil, fmt.Errorf("encode the key: %w", err)
	}
	return struct {
		CertificatePEM string `json:"certificatePem"`
		PrivateKeyPEM  string `json:"privateKeyPem"`
	}{
		CertificatePEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Certificate[0]})),
		PrivateKeyPEM:  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: key})),
	}, nil
}
