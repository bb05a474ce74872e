package rebilly

import (
	"encoding/json"
	"net/http"

	"github.com/paysandbox/paysandbox/simulator/httpx"
)

// problem is Rebilly's RFC 7807 problem-details error body.
type problem struct {
	Type          string         `json:"type"`
	Title         string         `json:"title"`
	Status        int            `json:"status"`
	Detail        string         `json:"detail"`
	Instance      string         `json:"instance"`
	InvalidFields []invalidField `json:"invalidFields,omitempty"`
}

// invalidField is one entry of a 422's invalidFields: a dotted field path.
type invalidField struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func writeProblem(w http.ResponseWriter, r *http.Request, p problem) {
	if p.Type == "" {
		p.Type = "about:blank"
	}
	if p.Instance == "" && r != nil {
		p.Instance = r.URL.Path
	}
	body, _ := json.Marshal(p)
	httpx.WriteJSON(w, p.Status, body)
}

func validationProblem(w http.ResponseWriter, r *http.Request, fields []invalidField) {
	writeProblem(w, r, problem{Status: http.StatusUnprocessableEntity, Title: "Validation error",
		Detail: "Invalid data sent.", InvalidFields: fields})
}

func notFound(w http.ResponseWriter, r *http.Request, what string) {
	writeProblem(w, r, problem{Status: http.StatusNotFound, Title: "Not Found", Detail: what + " not found."})
}

// storeError logs a failure of the store (or of a stored document) and
// answers the provider's 500.
func (p *Provider) storeError(w http.ResponseWriter, r *http.Request, err error) {
	p.deps.Logger.Error("rebilly store error", "error", err, "path", r.URL.Path)
	p.PanicError(w, r, http.StatusInternalServerError)
}
