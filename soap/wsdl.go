package soap

import (
	"bytes"
	"encoding/xml"
	"fmt"
)

// WSDL returns the service description with soap:address set to location.
// It is Intuit's QBWebConnectorSvc contract (same namespace, elements,
// SOAPActions and document/literal binding) with the interactive-mode
// operations added.
func WSDL(location string) []byte {
	var b bytes.Buffer
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	esc := func(s string) string {
		var e bytes.Buffer
		xml.EscapeText(&e, []byte(s)) //nolint:errcheck // bytes.Buffer cannot fail
		return e.String()
	}
	w(`<?xml version="1.0" encoding="utf-8"?>
<wsdl:definitions xmlns:s="http://www.w3.org/2001/XMLSchema" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:tns="%[1]s" targetNamespace="%[1]s" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/">
  <wsdl:documentation>bcqb: the QuickBooks Web Connector service (Intuit's QBWebConnectorSvc contract, with interactive mode).</wsdl:documentation>
  <wsdl:types>
    <s:schema elementFormDefault="qualified" targetNamespace="%[1]s">
`, Namespace)
	for _, op := range operations {
		if len(op.Params) == 0 {
			w("      <s:element name=%q>\n        <s:complexType />\n      </s:element>\n", op.Name)
		} else {
			w("      <s:element name=%q>\n        <s:complexType>\n          <s:sequence>\n", op.Name)
			for _, p := range op.Params {
				if p.Int {
					w("            <s:element minOccurs=\"1\" maxOccurs=\"1\" name=%q type=\"s:int\" />\n", p.Name)
				} else {
					w("            <s:element minOccurs=\"0\" maxOccurs=\"1\" name=%q type=\"s:string\" />\n", p.Name)
				}
			}
			w("          </s:sequence>\n        </s:complexType>\n      </s:element>\n")
		}
		minOccurs := "0"
		if op.Result == resultInt {
			minOccurs = "1"
		}
		w("      <s:element name=\"%sResponse\">\n        <s:complexType>\n          <s:sequence>\n", op.Name)
		w("            <s:element minOccurs=%q maxOccurs=\"1\" name=\"%sResult\" type=%q />\n", minOccurs, op.Name, op.Result)
		w("          </s:sequence>\n        </s:complexType>\n      </s:element>\n")
	}
	w(`      <s:complexType name="ArrayOfString">
        <s:sequence>
          <s:element minOccurs="0" maxOccurs="unbounded" name="string" nillable="true" type="s:string" />
        </s:sequence>
      </s:complexType>
    </s:schema>
  </wsdl:types>
`)
	for _, op := range operations {
		w("  <wsdl:message name=\"%sSoapIn\">\n    <wsdl:part name=\"parameters\" element=\"tns:%s\" />\n  </wsdl:message>\n", op.Name, op.Name)
		w("  <wsdl:message name=\"%sSoapOut\">\n    <wsdl:part name=\"parameters\" element=\"tns:%sResponse\" />\n  </wsdl:message>\n", op.Name, op.Name)
	}
	w("  <wsdl:portType name=\"QBWebConnectorSvcSoap\">\n")
	for _, op := range operations {
		w("    <wsdl:operation name=%q>\n      <wsdl:documentation>%s</wsdl:documentation>\n", op.Name, esc(op.Doc))
		w("      <wsdl:input message=\"tns:%sSoapIn\" />\n      <wsdl:output message=\"tns:%sSoapOut\" />\n    </wsdl:operation>\n", op.Name, op.Name)
	}
	w("  </wsdl:portType>\n  <wsdl:binding name=\"QBWebConnectorSvcSoap\" type=\"tns:QBWebConnectorSvcSoap\">\n")
	w("    <soap:binding transport=\"http://schemas.xmlsoap.org/soap/http\" />\n")
	for _, op := range operations {
		w("    <wsdl:operation name=%q>\n      <soap:operation soapAction=\"%s%s\" style=\"document\" />\n", op.Name, Namespace, op.Name)
		w("      <wsdl:input>\n        <soap:body use=\"literal\" />\n      </wsdl:input>\n")
		w("      <wsdl:output>\n        <soap:body use=\"literal\" />\n      </wsdl:output>\n    </wsdl:operation>\n")
	}
	w(`  </wsdl:binding>
  <wsdl:service name="QBWebConnectorSvc">
    <wsdl:port name="QBWebConnectorSvcSoap" binding="tns:QBWebConnectorSvcSoap">
      <soap:address location="%s" />
    </wsdl:port>
  </wsdl:service>
</wsdl:definitions>
`, esc(location))
	return b.Bytes()
}
