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
