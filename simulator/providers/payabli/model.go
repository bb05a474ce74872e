package payabli

import (
	"time"
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
