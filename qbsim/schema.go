package qbsim

//go:generate go run ./internal/xsdgen -xsd ../../shared/reference/qbxml/xsd/13.0 -out schema_gen.go

// particle is one node of a compiled XSD content model: an element, a
// sequence or a choice, with its occurrence bounds (Max -1 = unbounded).
type particle struct {
	Kind     byte // 'e' element, 's' sequence, 'c' choice
	Name     string
	Type     int // index into schemaTypes, for elements
	Min, Max int
	Kids     []particle
}

// xsdType is a compiled element type: a complex content model, or a simple
// type with its qbXML base (STRTYPE, AMTTYPE, ...), length limit and enums.
type xsdType struct {
	Complex bool
	Model   particle
	Base    string
	MaxLen  int
	Enum    []string
}
