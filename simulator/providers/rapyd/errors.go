package rapyd

import (
	"encoding/json"
	"net/http"

	"github.com/paysandbox/paysandbox/simulator/httpx"
)

// Error codes and messages as Rapyd documents them (texts from the
// reference fixtures; the unverified ones are marked in known-unknowns).
const (
	codeMissingAuth         = "MISSING_AUTHENTICATION_HEADERS"
	codeUnauthenticated     = "UNAUTHENTICATED_API_CALL"
	codeUnauthorizedAPICall = "UNAUTHORIZED_API_CALL"
	codeGetCustomer         = "ERROR_GET_CUSTOMER"
	codeInvalidCustomerID   = "INVALID_CUSTOMER_ID"
	codeDeleteCustomer      = "ERROR_DELETE_CUSTOMER"
	codeInvalidName         = "INVALID_CUSTOMER_NAME"
	codeInvalidEmail        = "INVALID_CUSTOMER_EMAIL"
	codeInvalidPhone        = "INVALID_CUSTOMER_PHONE_NUMBER"
	codeDataMissing         = "ERROR_CUSTOMER_DATA_MISSING"
	codeEwalletInUse        = "ERROR_CREATE_CUSTOMER"
	codeInvalidLimit        = "INVALID_TOKENS_LIMIT"
	codeBodyTooLarge        = "ERROR_REQUEST_BODY_TOO_LARGE"
	codeIdempotencyReused   = "ERROR_IDEMPOTENCY_KEY_REUSED"

	msgMissingAuth      = "The request did not contain the required headers for authentication. The request was rejected. Corrective action: Add authentication headers."
	msgUnknownAccessKey = "The request was rejected due to an authentication issue. Corrective action: Check the status of your account in the 'Account Details' page of the Client Portal."
	msgBadSignature     = "The API received a request, but the signature did not match. The request was rejected. Corrective action: (1) Remove all whitespace that is not inside a string. (2) Remove trailing zeroes and decimal points, or wrap numbers in a string."
	msgTimestampRange   = "timestamp header is out of allowed range"
	msgSaltReused       = "salt header value is not valid, same value used not long ago"
	msgSaltInvalid      = "salt header value is not valid"
	msgGetCustomer      = `The request attempted an operation that requires the ID of a customer, but the customer was not found. The request was rejected. Corrective action: Use the correct ID of the customer, a string starting with "cus_"`
	msgInvalidID        = "The request attempted an operation that requires a valid customer ID, but the customer was not found. The request was rejected. Corrective action: Use the correct customer, or create a new customer."
	msgDeleteCustomer   = "The request tried to delete a customer, but the operation failed. Corrective action: Determine whether the customer was already deleted, and why there were multiple requests to delete it."
	msgInvalidName      = "The request tried to create a customer, but the name was missing. The request was rejected. Corrective action: In the 'name' field, provide the customer's full name."
	msgInvalidEmail     = "The request attempted an operation that requires a valid email address, but the information was not in proper email address format. The request was rejected. Corrective action: Use the correct format for an email address."
	msgInvalidPhone     = "The request tried to create a customer, but the phone number was not recognized. The request was rejected. Corrective action: Provide the customer's phone number in proper E.164 format."
	msgDataMissing      = "The request attempted an operation that requires a customer, but required data in the customer is missing. The request was rejected. Corrective action: Use 'Update Customer' to correct the values of all of the fields listed at the end of the error code. For more information, see the API Reference."
	msgEwalletInUse     = "The request tried to create or update a customer, but the wallet ID provided is already in use by another customer. The request was rejected. Corrective action: Create a new wallet."
	msgInvalidLimit     = "The request tried to retrieve a list of customers, but the value for the 'limit' query parameter was out of range. The request was rejected. Corrective action: Set 'limit' from 1-100."
	msgBodyTooLarge     = "The request body exceeds the maximum size the simulator accepts. The request was rejected."
	msgIdempotency      = "The request reused the idempotency value of an earlier request with a different method, path or body. The request was rejected. Corrective action: Use a new idempotency value for a new request."
)

type errorEnvelope struct {
	Status status `json:"status"`
}

func writeError(w http.ResponseWriter, httpStatus int, code, msg string) {
	b, _ := json.Marshal(errorEnvelope{Status: status{ErrorCode: code, Status: "ERROR", Message: msg, ResponseCode: code, OperationID: operationID()}})
	httpx.WriteJSON(w, httpStatus, b)
}

// storeError logs a failure of the store (or of a stored document) and
// answers the provider's 500.
func (p *Provider) storeError(w http.ResponseWriter, r *http.Request, err error) {
	p.deps.Logger.Error("rapyd store error", "error", err, "path", r.URL.Path)
	p.PanicError(w, r, http.StatusInternalServerError)
}
