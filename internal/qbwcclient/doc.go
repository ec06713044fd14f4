// Package qbwcclient is a SOAP client of the Web Connector service, generated
// by gowsdl v0.5.0 from the WSDL bcqb serves. Tests drive bcqb with it, so the
// contract is checked by a third-party SOAP stack rather than by our own
// encoder. client.go is generated: regenerate it with go generate, and
// TestGeneratedClientMatchesServedWSDL fails when it drifts from the WSDL.
package qbwcclient

//go:generate go test ../../app -run TestGeneratedClientMatchesServedWSDL -update-client
