package rapyd

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/paysandbox/paysandbox/simulator/httpx"
	"github.com/paysandbox/paysandbox/simulator/jsonx"
	"github.com/paysandbox/paysandbox/simulator/store"
)

// customer is the stored document and the response object; members in the
// order real Rapyd responses carry them.
type customer struct {
	ID                   string          `json:"id"`
	Delinquent           bool            `json:"delinquent"`
	Discount             json.RawMessage `json:"discount"`
	Name                 string          `json:"name"`
	DefaultPaymentMethod string          `json:"default_payment_method"`
	Description          string          `json:"description"`
	Email                string          `json:"email"`
	PhoneNumber          string          `json:"phone_number"`
	InvoicePrefix        string          `json:"invoice_prefix"`
	Addresses            json.RawMessage `json:"addresses"`
	PaymentMethods       json.RawMessage `json:"payment_methods"`
	Subscriptions        json.RawMessage `json:"subscriptions"`
	CreatedAt            int64           `json:"created_at"`
	Metadata             json.RawMessage `json:"metadata"`
	BusinessVatID        string          `json:"business_vat_id"`
	Ewallet              string          `json:"ewallet"`
}

// appendJSON appends c as encoding/json.Marshal encodes it, without
// reflection (FuzzCustomerJSON). The raw members are valid JSON: constants,
// validated request members, or a stored document's.
func (c *customer) appendJSON(b []byte) []byte {
	str := func(b []byte, name, v string) []byte {
		return jsonx.AppendString(append(b, name...), v)
	}
	b = str(b, `{"id":`, c.ID)
	b = append(b, `,"delinquent":`...)
	b = strconv.AppendBool(b, c.Delinquent)
	b = jsonx.AppendCanonical(append(b, `,"discount":`...), c.Discount)
	b = str(b, `,"name":`, c.Name)
	b = str(b, `,"default_payment_method":`, c.DefaultPaymentMethod)
	b = str(b, `,"description":`, c.Description)
	b = str(b, `,"email":`, c.Email)
	b = str(b, `,"phone_number":`, c.PhoneNumber)
	b = str(b, `,"invoice_prefix":`, c.InvoicePrefix)
	b = jsonx.AppendCanonical(append(b, `,"addresses":`...), c.Addresses)
	b = jsonx.AppendCanonical(append(b, `,"payment_methods":`...), c.PaymentMethods)
	b = jsonx.AppendCanonical(append(b, `,"subscriptions":`...), c.Subscriptions)
	b = append(b, `,"created_at":`...)
	b = strconv.AppendInt(b, c.CreatedAt, 10)
	b = jsonx.AppendCanonical(append(b, `,"metadata":`...), c.Metadata)
	b = str(b, `,"business_vat_id":`, c.BusinessVatID)
	b = str(b, `,"ewallet":`, c.Ewallet)
	return append(b, '}')
}

func newCustomer(createdAt int64) customer {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return customer{
		ID: "cus_" + hex.EncodeToString(b[:]), Discount: json.RawMessage("null"), Addresses: json.RawMessage("[]"),
		PaymentMethods: json.RawMessage("null"), Subscriptions: json.RawMessage("null"),
		Metadata: json.RawMessage("{}"), CreatedAt: createdAt,
	}
}

func compactJSON(raw json.RawMessage) json.RawMessage {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return raw
	}
	return b.Bytes()
}

// status is the envelope's status object, members in Rapyd's order.
type status struct {
	ErrorCode    string `json:"error_code"`
	Status       string `json:"status"`
	Message      string `json:"message"`
	ResponseCode string `json:"response_code"`
	OperationID  string `json:"operation_id"`
}

type envelope struct {
	Status status `json:"status"`
	Data   any    `json:"data"`
}

// operationID is a random lower-case UUID v4.
func operationID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func successBody(data any) []byte {
	return successBodyWith(data, operationID())
}

func successBodyWith(data any, opID string) []byte {
	b, _ := json.Marshal(envelope{Status: status{Status: "SUCCESS", OperationID: opID}, Data: data})
	return b
}

// successDoc is successBody for a stored document, without reflection:
// byte for byte what successBody writes for json.RawMessage(doc)
// (FuzzSuccessDoc).
func successDoc(doc []byte, opID string) []byte {
	b := make([]byte, 0, len(doc)+160)
	b = append(b, `{"status":{"error_code":"","status":"SUCCESS","message":"","response_code":"","operation_id":`...)
	b = jsonx.AppendString(b, opID)
	b = append(b, `},"data":`...)
	b = jsonx.AppendCanonical(b, doc)
	return append(b, '}')
}

func writeSuccess(w http.ResponseWriter, data any) {
	if doc, ok := data.(json.RawMessage); ok {
		httpx.WriteJSON(w, http.StatusOK, successDoc(doc, operationID()))
		return
	}
	httpx.WriteJSON(w, http.StatusOK, successBody(data))
}

// toRecord is the store row of c: its document and the indexed columns.
func toRecord(tenant string, c customer) store.Record {
	doc := c.appendJSON(make([]byte, 0, 512))
	return store.Record{Tenant: tenant, ID: c.ID, Email: c.Email, FirstName: c.Name, ExtKey: c.Ewallet, Doc: doc}
}
