package payabli

import (
	"encoding/json"
	"net/http"

	"github.com/paysandbox/paysandbox/simulator/httpx"
)

// errorBody is PayabliErrorBody / the legacy 400 body.
type errorBody struct {
	IsSuccess    bool       `json:"isSuccess"`
	ResponseCode *int       `json:"responseCode,omitempty"`
	ResponseText string     `json:"responseText"`
	ResponseData errorDatum `json:"responseData"`
}

type errorDatum struct {
	Explanation string `json:"explanation"`
	TodoAction  string `json:"todoAction"`
}

func writeError(w http.ResponseWriter, status int, text, explanation, todo string) {
	writeErrorCode(w, status, 0, text, explanation, todo)
}

func writeErrorCode(w http.ResponseWriter, status, code int, text, explanation, todo string) {
	b := errorBody{ResponseText: text, ResponseData: errorDatum{Explanation: explanation, TodoAction: todo}}
	if code != 0 {
		b.ResponseCode = &code
	}
	raw, _ := json.Marshal(b)
	httpx.WriteJSON(w, status, raw)
}

// apiError is a 400-class failure raised by parsing or validation.
type apiError struct {
	status      int
	code        int
	explanation string
	todo        string
}

func (e *apiError) Error() string { return e.explanation }

func badRequest(explanation, todo string) *apiError {
	return &apiError{status: http.StatusBadRequest, explanation: explanation, todo: todo}
}

// declined writes a 400-class error in the "Declined" shape.
func declined(w http.ResponseWriter, e *apiError) {
	writeErrorCode(w, e.status, e.code, "Declined", e.explanation, e.todo)
}

// storeError logs a failure of the store (or of a stored document) and
// answers the provider's 500.
func (p *Provider) storeError(w http.ResponseWriter, r *http.Request, err error) {
	p.deps.Logger.Error("payabli request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	p.PanicError(w, r, http.StatusInternalServerError)
}

func (p *Provider) notFound(w http.ResponseWriter, id string) {
	writeError(w, p.cfg.NotFoundStatus, "Declined", "Customer "+id+" not found.", "Check the customerId; it may have been deleted or belong to another paypoint.")
}
