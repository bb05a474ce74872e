package payabli

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/paysandbox/paysandbox/simulator/httpx"
	"github.com/paysandbox/paysandbox/simulator/jsonx"
	"github.com/paysandbox/paysandbox/simulator/store"
)

// TimeLayout renders Created / LastUpdated as in the official examples.
const TimeLayout = "2006-01-02T15:04:05Z"

// Record is the stored document and the GET body (CustomerQueryRecords),
// keys and order as in the official example.
type Record struct {
	CustomerID         int64              `json:"customerId"`
	CustomerNumber     *string            `json:"customerNumber"`
	CustomerUsername   *string            `json:"customerUsername"`
	CustomerStatus     int                `json:"customerStatus"`
	Company            *string            `json:"Company"`
	Firstname          *string            `json:"Firstname"`
	Lastname           *string            `json:"Lastname"`
	Phone              *string            `json:"Phone"`
	Email              *string            `json:"Email"`
	Address            *string            `json:"Address"`
	Address1           *string            `json:"Address1"`
	City               *string            `json:"City"`
	State              *string            `json:"State"`
	Zip                *string            `json:"Zip"`
	Country            *string            `json:"Country"`
	ShippingAddress    *string            `json:"ShippingAddress"`
	ShippingAddress1   *string            `json:"ShippingAddress1"`
	ShippingCity       *string            `json:"ShippingCity"`
	ShippingState      *string            `json:"ShippingState"`
	ShippingZip        *string            `json:"ShippingZip"`
	ShippingCountry    *string            `json:"ShippingCountry"`
	Balance            float64            `json:"Balance"`
	TimeZone           int                `json:"TimeZone"`
	MFA                bool               `json:"MFA"`
	MFAMode            int                `json:"MFAMode"`
	SnProvider         *string            `json:"snProvider"`
	SnIdentifier       *string            `json:"snIdentifier"`
	SnData             *string            `json:"snData"`
	LastUpdated        string             `json:"LastUpdated"`
	Created            string             `json:"Created"`
	AdditionalFields   map[string]*string `json:"AdditionalFields"`
	IdentifierFields   []*string          `json:"IdentifierFields"`
	Subscriptions      []any              `json:"Subscriptions"`
	StoredMethods      []any              `json:"StoredMethods"`
	CustomerSummary    *Summary           `json:"customerSummary"`
	PaypointLegalname  *string            `json:"PaypointLegalname"`
	PaypointDbaname    *string            `json:"PaypointDbaname"`
	ParentOrgName      *string            `json:"ParentOrgName"`
	ParentOrgID        *int64             `json:"ParentOrgId"`
	PaypointEntryname  string             `json:"PaypointEntryname"`
	PageIdentifier     string             `json:"pageidentifier"`
	ExternalPaypointID *string            `json:"externalPaypointID"`
	CustomerConsent    any                `json:"customerConsent"`
}

// Summary is customerSummary (zero totals: the simulator has no transactions).
type Summary struct {
	NumberofTransactions       int     `json:"NumberofTransactions"`
	RecentTransactions         []any   `json:"RecentTransactions"`
	TotalAmountTransactions    float64 `json:"TotalAmountTransactions"`
	TotalNetAmountTransactions float64 `json:"TotalNetAmountTransactions"`
}

// listSummary is the list item's customerSummary (no RecentTransactions).
type listSummary struct {
	NumberofTransactions       int     `json:"NumberofTransactions"`
	TotalAmountTransactions    float64 `json:"TotalAmountTransactions"`
	TotalNetAmountTransactions float64 `json:"TotalNetAmountTransactions"`
}

// ListItem is a Query Records[] item: the subset of keys in the official
// list example.
type ListItem struct {
	Address            *string     `json:"Address"`
	Address1           *string     `json:"Address1"`
	Balance            float64     `json:"Balance"`
	City               *string     `json:"City"`
	Company            *string     `json:"Company"`
	Country            *string     `json:"Country"`
	Created            string      `json:"Created"`
	CustomerID         int64       `json:"customerId"`
	CustomerNumber     *string     `json:"customerNumber"`
	CustomerStatus     int         `json:"customerStatus"`
	CustomerSummary    listSummary `json:"customerSummary"`
	Email              *string     `json:"Email"`
	ExternalPaypointID *string     `json:"externalPaypointID"`
	Firstname          *string     `json:"Firstname"`
	IdentifierFields   []*string   `json:"IdentifierFields"`
	Lastname           *string     `json:"Lastname"`
	LastUpdated        string      `json:"LastUpdated"`
	MFA                bool        `json:"MFA"`
	MFAMode            int         `json:"MFAMode"`
	ParentOrgName      *string     `json:"ParentOrgName"`
	PaypointDbaname    *string     `json:"PaypointDbaname"`
	PaypointEntryname  string      `json:"PaypointEntryname"`
	PaypointLegalname  *string     `json:"PaypointLegalname"`
	Phone              *string     `json:"Phone"`
	ShippingAddress    *string     `json:"ShippingAddress"`
	ShippingAddress1   *string     `json:"ShippingAddress1"`
	ShippingCity       *string     `json:"ShippingCity"`
	ShippingCountry    *string     `json:"ShippingCountry"`
	ShippingState      *string     `json:"ShippingState"`
	ShippingZip        *string     `json:"ShippingZip"`
	State              *string     `json:"State"`
	TimeZone           int         `json:"TimeZone"`
	Zip                *string     `json:"Zip"`
}

func (r *Record) listItem() ListItem {
	return ListItem{
		Address: r.Address, Address1: r.Address1, Balance: r.Balance, City: r.City, Company: r.Company,
		Country: r.Country, Created: r.Created, CustomerID: r.CustomerID, CustomerNumber: r.CustomerNumber,
		CustomerStatus: r.CustomerStatus, Email: r.Email, ExternalPaypointID: r.ExternalPaypointID,
		Firstname: r.Firstname, IdentifierFields: r.IdentifierFields, Lastname: r.Lastname,
		LastUpdated: r.LastUpdated, MFA: r.MFA, MFAMode: r.MFAMode, ParentOrgName: r.ParentOrgName,
		PaypointDbaname: r.PaypointDbaname, PaypointEntryname: r.PaypointEntryname,
		PaypointLegalname: r.PaypointLegalname, Phone: r.Phone, ShippingAddress: r.ShippingAddress,
		ShippingAddress1: r.ShippingAddress1, ShippingCity: r.ShippingCity, ShippingCountry: r.ShippingCountry,
		ShippingState: r.ShippingState, ShippingZip: r.ShippingZip, State: r.State, TimeZone: r.TimeZone, Zip: r.Zip,
	}
}

// newRecord builds a fresh record for entry from a create request.
func newRecord(entry string, now time.Time, in *CustomerData) *Record {
	ts := now.UTC().Format(TimeLayout)
	r := &Record{
		PaypointEntryname: entry, PageIdentifier: "null", Created: ts, LastUpdated: ts,
		CustomerSummary:  &Summary{RecentTransactions: []any{}},
		AdditionalFields: map[string]*string{},
	}
	in.apply(r)
	return r
}

// createResponse is PayabliApiResponseCustomerQuery.
type createResponse struct {
	IsSuccess    bool    `json:"isSuccess"`
	ResponseData *Record `json:"responseData"`
	ResponseText string  `json:"responseText"`
}

// columns returns cur with doc encoded and the lookup columns copied.
func columns(cur *store.Record, doc *Record, now time.Time) (store.Record, bool, error) {
	raw, err := json.Marshal(doc)
	if err != nil {
		return store.Record{}, false, err
	}
	next := *cur
	next.Doc = raw
	next.Email = strings.ToLower(deref(doc.Email))
	next.FirstName = deref(doc.Firstname)
	next.LastName = deref(doc.Lastname)
	next.ExtKey = deref(doc.CustomerNumber)
	next.Updated = now
	return next, true, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// docString reads one string member of a stored document (valid JSON: the
// store checks every write) without decoding the rest: ok is false — decode
// the document instead — unless the document's only member matching name
// (encoding/json matches member names case-insensitively) is exactly name
// and holds a string.
func docString(doc []byte, name string) (s string, ok bool) {
	found, exact := 0, false
	if !jsonx.Object(doc, func(k, v []byte) bool {
		key := jsonx.KeyBytes(k)
		if !strings.EqualFold(string(key), name) {
			return true
		}
		found++
		if exact = string(key) == name && jsonx.Kind(v) == '"'; exact {
			s = jsonx.Unquote(v)
		}
		return true
	}) {
		return "", false
	}
	if found != 1 || !exact {
		return "", false
	}
	return s, true
}

// decode reads a stored document; customerId always comes from the row id
// (the store's Seq), so the doc never needs a second write after Insert.
func decode(rec *store.Record) (*Record, error) {
	var doc Record
	if err := json.Unmarshal(rec.Doc, &doc); err != nil {
		return nil, fmt.Errorf("payabli: stored doc %s: %w", rec.ID, err)
	}
	id, err := strconv.ParseInt(rec.ID, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("payabli: stored id %q: %w", rec.ID, err)
	}
	doc.CustomerID = id
	return &doc, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	raw, err := json.Marshal(v)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "Internal API Error", "encoding failed", "Retry the request.")
		return
	}
	httpx.WriteJSON(w, status, raw)
}

// okEnvelope is PayabliApiResponse00Responsedatanonobject as in the fixtures.
type okEnvelope struct {
	ResponseCode   int    `json:"responseCode"`
	IsSuccess      bool   `json:"isSuccess"`
	PageIdentifier string `json:"pageIdentifier"`
	RoomID         int    `json:"roomId"`
	ResponseData   string `json:"responseData"`
	ResponseText   string `json:"responseText"`
}

func success() okEnvelope {
	return okEnvelope{ResponseCode: 1, IsSuccess: true, PageIdentifier: "null", ResponseData: " ", ResponseText: "Success"}
}

type listResponse struct {
	Records []ListItem   `json:"Records"`
	Summary listSummaryT `json:"Summary"`
}

type listSummaryT struct {
	PageIdentifier string  `json:"pageIdentifier"`
	PageSize       int     `json:"pageSize"`
	TotalAmount    float64 `json:"totalAmount"`
	TotalNetAmount float64 `json:"totalNetAmount"`
	TotalPages     int     `json:"totalPages"`
	TotalRecords   int     `json:"totalRecords"`
}
