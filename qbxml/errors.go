package qbxml

import (
	"fmt"
	"strconv"
	"strings"
)

// Action is what the caller should do with a response, by status code.
type Action string

// Actions of the classification table.
const (
	// ActionSuccess: QuickBooks did it.
	ActionSuccess Action = "success"
	// ActionWarning: done, but QuickBooks noted something; record it.
	ActionWarning Action = "warning"
	// ActionRetryLater: QuickBooks was busy or a record was locked; send again
	// in a later session with backoff. Outcome.Requery asks to re-read the
	// object first (stale EditSequence).
	ActionRetryLater Action = "retry_later"
	// ActionFixMapping: a reference or setting is wrong (missing customer,
	// name used by another list, feature off); a person must fix the mapping
	// or QuickBooks, then retry.
	ActionFixMapping Action = "fix_mapping"
	// ActionAlreadyExists: the object is already in QuickBooks; query it and
	// adopt its ListID/TxnID instead of adding it again.
	ActionAlreadyExists Action = "already_exists"
	// ActionNotFound: the query matched nothing, or the object referred to
	// by ID is gone.
	ActionNotFound Action = "not_found"
	// ActionBadRequest: bcqb sent something QuickBooks cannot read; a bug to
	// log loudly, retrying will not help.
	ActionBadRequest Action = "bad_request"
)

// Outcome is the classification of one status.
type Outcome struct {
	Code     int
	Severity string
	Action   Action
	// Requery is set when the object must be re-read before retrying (3200).
	Requery bool
	// Message is written for a bookkeeper reading the status page.
	Message string
	// Detail is QuickBooks' own statusMessage (or the hresult message).
	Detail string
}

// Failed reports whether the request did not take effect as asked.
func (o Outcome) Failed() bool {
	switch o.Action {
	case ActionSuccess, ActionWarning:
		return false
	case ActionNotFound:
		return o.Code != 1 // status 1 is an empty query result, not an error
	}
	return true
}

// StatusError is a failed response as an error, for callers that use errors.As.
type StatusError struct {
	RequestID string
	Outcome   Outcome
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("qbxml: status %d (%s): %s [%s]", e.Outcome.Code, e.Outcome.Action, e.Outcome.Detail, e.RequestID)
}

type rule struct {
	action  Action
	requery bool
	message string // for the bookkeeper
	qb      string // QuickBooks' typical statusMessage, for simulated responses
}

// statusRules is the classification table. Codes and texts follow Intuit's
// "Status codes in response messages" page and the behaviour observed by the
// PHP DevKit's error map (see shared/reference/NOTES-qbwc.md §3.10).
var statusRules = map[int]rule{
	0:    {ActionSuccess, false, "Done.", "Status OK"},
	1:    {ActionNotFound, false, "QuickBooks has no matching record.", "A query request did not find a matching object in QuickBooks"},
	500:  {ActionWarning, false, "QuickBooks finished, but some of the records asked for were not found.", "The query request has not been fully completed. There was a required element that could not be found in QuickBooks."},
	530:  {ActionWarning, false, "QuickBooks ignored a field it does not support; the record was saved without it.", "The field is not supported in this version or edition of QuickBooks and was ignored."},
	531:  {ActionWarning, false, "QuickBooks ignored a value it does not support; the record was saved without it.", "The enumerated value is not supported in this version or edition of QuickBooks."},
	560:  {ActionWarning, false, "QuickBooks accepted a field it has deprecated.", "The field is deprecated."},
	1000: {ActionRetryLater, false, "QuickBooks had an internal error; bcqb will try again at the next sync.", "There has been an internal error when processing the request."},
	1060: {ActionBadRequest, false, "bcqb sent an invalid request ID (a bcqb bug).", "The requestID is invalid."},
	3000: {ActionFixMapping, false, "A saved QuickBooks ID is not valid; re-link the record on the mapping page.", "The given object ID in the field is invalid."},
	3010: {ActionBadRequest, false, "bcqb sent an invalid yes/no value (a bcqb bug).", "The given boolean value is invalid."},
	3020: {ActionBadRequest, false, "bcqb sent an invalid date (a bcqb bug).", "The given date is invalid."},
	3030: {ActionBadRequest, false, "bcqb sent an invalid date range (a bcqb bug).", "The date range is invalid."},
	3100: {ActionAlreadyExists, false, "A record with this name is already in QuickBooks; bcqb will link to it.", "The name of the list element is already in use."},
	3120: {ActionNotFound, false, "The QuickBooks record bcqb pointed at no longer exists; it will be looked up again.", "Object specified in the request cannot be found."},
	3140: {ActionFixMapping, false, "The sale refers to a customer, item, account or payment method QuickBooks does not have; check the mapping.", "There is an invalid reference to QuickBooks in the request."},
	3170: {ActionRetryLater, false, "QuickBooks could not save because another user was editing; bcqb will try again.", "There was an error when modifying the record."},
	3175: {ActionRetryLater, false, "The QuickBooks record is locked by another user; bcqb will try again.", "The record could not be locked because it is being used by another user."},
	3176: {ActionRetryLater, false, "The QuickBooks record is in use; bcqb will try again.", "The record is in use by another user."},
	3180: {ActionRetryLater, false, "QuickBooks could not save the record right now; bcqb will try again.", "There was an error when saving the record."},
	3200: {ActionRetryLater, true, "The QuickBooks record changed since bcqb read it; bcqb will re-read it and try again.", "The provided edit sequence is out-of-date."},
	3210: {ActionFixMapping, false, "QuickBooks refused a value in this record; see the detail and correct it.", "The field has an invalid value."},
	3250: {ActionFixMapping, false, "This feature is not turned on in the QuickBooks company file (check QuickBooks preferences).", "This feature is not enabled or not available in this version of QuickBooks."},
	3260: {ActionFixMapping, false, "QuickBooks did not give bcqb permission for this; the QuickBooks admin must allow it (Edit > Preferences > Integrated Applications).", "Insufficient permission level to perform this action."},
	3261: {ActionFixMapping, false, "QuickBooks does not allow bcqb to read personal data; allow it in Integrated Applications.", "The integrated application has no permission to access personal data."},
	9001: {ActionFixMapping, false, "A saved QuickBooks ID belongs to a different company file; check that the right company file is open.", "Invalid checksum. The ID was created for a different company file."},
}

// defaultStatusMessage is QuickBooks' typical text for a code.
func defaultStatusMessage(code int) string { return statusRules[code].qb }

// Classify maps a status code (and severity, used for codes not in the table)
// to an Outcome. Codes outside the table fall back on Intuit's ranges:
// 0-499 info, 500-999 warnings, 1000-1999 general errors (retry later),
// 2000-3099 unsupported/format errors (bad request), 3100+ data errors
// (fix mapping).
func Classify(code int, severity, statusMessage string) Outcome {
	o := Outcome{Code: code, Severity: severity, Detail: statusMessage}
	if r, ok := statusRules[code]; ok {
		o.Action, o.Requery, o.Message = r.action, r.requery, r.message
	} else {
		switch {
		case code >= 0 && code < 500:
			o.Action, o.Message = ActionSuccess, "Done."
		case code >= 500 && code < 1000:
			o.Action, o.Message = ActionWarning, "QuickBooks finished with a warning."
		case code >= 1000 && code < 2000:
			o.Action, o.Message = ActionRetryLater, "QuickBooks reported an error; bcqb will try again at the next sync."
		case code >= 2000 && code < 3100:
			o.Action, o.Message = ActionBadRequest, "QuickBooks could not use the request bcqb sent (a bcqb bug)."
		default:
			o.Action, o.Message = ActionFixMapping, "QuickBooks refused this record; see the detail."
		}
		// A severity that disagrees with the range wins for unknown codes.
		if strings.EqualFold(severity, "Error") && (o.Action == ActionSuccess || o.Action == ActionWarning) {
			o.Action, o.Message = ActionFixMapping, "QuickBooks refused this record; see the detail."
		}
	}
	if o.Severity == "" {
		o.Severity = severityFromCode(code)
	}
	return o
}

// HRESULTs the Web Connector reports in receiveResponseXML/connectionError
// when QuickBooks threw instead of answering.
const (
	HResultParseError      = 0x80040400 // QuickBooks found an error when parsing the provided XML text stream
	HResultCannotAccess    = 0x80040401 // could not access QuickBooks
	HResultUnexpected      = 0x80040402 // unexpected error
	HResultCannotStart     = 0x80040408 // could not start QuickBooks
	HResultBadTicket       = 0x8004040D // ticket parameter invalid
	HResultNotAuthorised   = 0x80040418 // application has not accessed this company file before
	hresultCodeForOutcomes = -1
)

// ClassifyHResult classifies a non-empty hresult of receiveResponseXML. The
// parse-error path (0x80040400) means a malformed or schema-invalid request:
// element order, a character outside Windows-1252 or a version mismatch.
func ClassifyHResult(hresult, message string) Outcome {
	o := Outcome{Code: hresultCodeForOutcomes, Severity: "Error", Detail: strings.TrimSpace(hresult + " " + message)}
	h := strings.TrimSpace(strings.ToLower(hresult))
	h = strings.TrimPrefix(h, "0x")
	n, err := strconv.ParseUint(h, 16, 32)
	if err != nil {
		o.Action, o.Message = ActionRetryLater, "The Web Connector reported an error talking to QuickBooks; bcqb will try again."
		return o
	}
	switch n {
	case HResultParseError:
		o.Action, o.Message = ActionBadRequest, "QuickBooks could not read the request bcqb sent (a bcqb bug; the request is logged)."
	case HResultNotAuthorised:
		o.Action, o.Message = ActionFixMapping, "QuickBooks has not authorised bcqb for this company file yet; open it as Admin and allow bcqb."
	case HResultCannotAccess, HResultCannotStart, HResultUnexpected, HResultBadTicket:
		o.Action, o.Message = ActionRetryLater, "The Web Connector could not reach QuickBooks; bcqb will try again."
	default:
		o.Action, o.Message = ActionRetryLater, "The Web Connector reported an error talking to QuickBooks; bcqb will try again."
	}
	return o
}
