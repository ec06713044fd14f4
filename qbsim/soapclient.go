package qbsim

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Namespaces of the QBWC SOAP 1.1 contract.
const (
	soapEnvNS = "http://schemas.xmlsoap.org/soap/envelope/"
	intuitNS  = "http://developer.intuit.com/"
	xsiNS     = "http://www.w3.org/2001/XMLSchema-instance"
)

// Param is one named parameter of a Web Connector call, in WSDL order.
type Param struct {
	Name  string
	Value string
}

// soapResult is the decoded <opResult> of a response.
type soapResult struct {
	present bool     // the Result element was there
	text    string   // its text (string and int results)
	strings []string // its <string> children (authenticate)
}

// SOAPFault is a SOAP 1.1 Fault returned by the server.
type SOAPFault struct {
	Code   string
	String string
}

func (f *SOAPFault) Error() string { return fmt.Sprintf("soap fault %s: %s", f.Code, f.String) }

// encodeRequest writes a document/literal SOAP 1.1 envelope the way QBWC's
// .NET proxy does.
func encodeRequest(method string, params []Param) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?>`)
	b.WriteString(`<soap:Envelope xmlns:soap="` + soapEnvNS + `" xmlns:xsi="` + xsiNS + `" xmlns:xsd="http://www.w3.org/2001/XMLSchema">`)
	b.WriteString(`<soap:Body><` + method + ` xmlns="` + intuitNS + `">`)
	for _, p := range params {
		b.WriteString("<" + p.Name + ">")
		_ = xml.EscapeText(&b, []byte(p.Value))
		b.WriteString("</" + p.Name + ">")
	}
	b.WriteString(`</` + method + `></soap:Body></soap:Envelope>`)
	return b.Bytes()
}

// postSOAP sends one call and decodes its result; it is strict about the
// response shape because QBWC's generated .NET proxy is.
func postSOAP(ctx context.Context, client *http.Client, endpoint, method string, params []Param) (soapResult, error) {
	body := encodeRequest(method, params)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return soapResult{}, fmt.Errorf("%s: %w", method, err)
	}
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	req.Header.Set("SOAPAction", `"`+intuitNS+method+`"`)
	req.Header.Set("User-Agent", "Mozilla/4.0 (compatible; MSIE 6.0; MS Web Services Client Protocol 4.0.30319.42000)")
	resp, err := client.Do(req)
	if err != nil {
		return soapResult{}, fmt.Errorf("%s: %w", method, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return soapResult{}, fmt.Errorf("%s: read response: %w", method, err)
	}
	res, err := decodeResponse(method, raw)
	if err != nil {
		var f *SOAPFault
		if errors.As(err, &f) || resp.StatusCode == http.StatusOK {
			return soapResult{}, fmt.Errorf("%s: %w", method, err)
		}
		return soapResult{}, fmt.Errorf("%s: HTTP %d: %w", method, resp.StatusCode, err)
	}
	if resp.StatusCode != http.StatusOK {
		return soapResult{}, fmt.Errorf("%s: HTTP status %d", method, resp.StatusCode)
	}
	return res, nil
}

// decodeResponse finds Envelope/Body/<method>Response/<method>Result.
func decodeResponse(method string, raw []byte) (soapResult, error) {
	var env struct {
		XMLName xml.Name `xml:"http://schemas.xmlsoap.org/soap/envelope/ Envelope"`
		Body    struct {
			Inner []byte `xml:",innerxml"`
		} `xml:"http://schemas.xmlsoap.org/soap/envelope/ Body"`
	}
	if err := xml.Unmarshal(raw, &env); err != nil {
		return soapResult{}, fmt.Errorf("response is not a SOAP envelope: %w", err)
	}
	d := xml.NewDecoder(bytes.NewReader(env.Body.Inner))
	for {
		tok, err := d.Token()
		if err != nil {
			return soapResult{}, fmt.Errorf("SOAP body has no %sResponse: %w", method, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if se.Name.Space == soapEnvNS && se.Name.Local == "Fault" {
			var f struct {
				Code   string `xml:"faultcode"`
				String string `xml:"faultstring"`
			}
			if err := d.DecodeElement(&f, &se); err != nil {
				return soapResult{}, fmt.Errorf("decode SOAP fault: %w", err)
			}
			return soapResult{}, &SOAPFault{Code: strings.TrimSpace(f.Code), String: strings.TrimSpace(f.String)}
		}
		if se.Name.Space != intuitNS || se.Name.Local != method+"Response" {
			return soapResult{}, fmt.Errorf("unexpected element {%s}%s in SOAP body, want {%s}%sResponse", se.Name.Space, se.Name.Local, intuitNS, method)
		}
		return decodeResult(d, method)
	}
}

func decodeResult(d *xml.Decoder, method string) (soapResult, error) {
	var res soapResult
	depth := 0
	for {
		tok, err := d.Token()
		if err != nil {
			return soapResult{}, fmt.Errorf("decode %sResponse: %w", method, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 && t.Name.Space == intuitNS && t.Name.Local == method+"Result" {
				res.present = true
				if err := decodeResultBody(d, &res); err != nil {
					return soapResult{}, fmt.Errorf("decode %sResult: %w", method, err)
				}
				continue
			}
			depth++
			if err := d.Skip(); err != nil {
				return soapResult{}, err
			}
			depth--
		case xml.EndElement:
			return res, nil
		}
	}
}

// decodeResultBody reads the content of a Result element: text, or
// ArrayOfString children (nil strings decode as "").
func decodeResultBody(d *xml.Decoder, res *soapResult) error {
	var text strings.Builder
	for {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.CharData:
			text.Write(t)
		case xml.StartElement:
			if t.Name.Local != "string" || t.Name.Space != intuitNS {
				return fmt.Errorf("unexpected element {%s}%s in result, want {%s}string", t.Name.Space, t.Name.Local, intuitNS)
			}
			var s string
			if err := d.DecodeElement(&s, &t); err != nil {
				return err
			}
			res.strings = append(res.strings, s)
		case xml.EndElement:
			res.text = text.String()
			return nil
		}
	}
}
