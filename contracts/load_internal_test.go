package contracts

import (
	"net/http"
	"reflect"
	"sort"
	"testing"
	"testing/fstest"
)

// A tiny OpenAPI 3.0 contract exercising what the real definitions do not:
// a required response header, boolean exclusive bounds, nullable without a
// type, and a literal competing with a parameter at the same segment.
const testSpec = `openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /things/{id}/tag:
    get:
      operationId: getTag
      responses:
        "200":
          description: ok
          headers:
            Request-Id: {required: true, schema: {type: string}}
            Retry-After: {schema: {type: integer}}
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Thing'}
  /things/mine/{tag}:
    get:
      operationId: getMine
      responses:
        "204": {description: none}
components:
  schemas:
    Thing:
      type: object
      required: [amount]
      properties:
        amount: {type: number, minimum: 0, exclusiveMinimum: true, example: 5}
        kind: {type: string, enum: [a, b], nullable: true}
        other:
          nullable: true
          allOf: [{$ref: '#/components/schemas/Other'}]
    Other: {type: object, properties: {n: {type: integer}}}
`

func testContract(t *testing.T) *Contract {
	t.Helper()
	c, err := load(fstest.MapFS{
		"t/contract.yaml":       {Data: []byte("provider: t\nspec: openapi.yaml\nbasePaths: [/v9]\n")},
		"t/openapi.yaml":        {Data: []byte(testSpec)},
		"t/overlay.yaml":        {Data: []byte("[]\n")},
		"t/known-unknowns.yaml": {Data: []byte("[]\n")},
	}, "t")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func wheres(t *testing.T, err error) []string {
	t.Helper()
	ve, ok := err.(*ValidationError)
	if !ok {
		t.Fatalf("want *ValidationError, got %T %v", err, err)
	}
	var out []string
	for _, v := range ve.Violations {
		out = append(out, v.Where)
	}
	sort.Strings(out)
	return out
}

func TestLiteralBeatsParameterLeftToRight(t *testing.T) {
	c := testContract(t)
	for path, want := range map[string]string{
		"/things/mine/tag":    "GET /things/mine/{tag}", // both templates fit; "mine" literal comes first
		"/v9/things/mine/tag": "GET /things/mine/{tag}",
		"/things/x/tag":       "GET /things/{id}/tag",
	} {
		op, err := c.Operation("GET", path)
		if err != nil || op.String() != want {
			t.Errorf("%s: got %v %v, want %s", path, op, err, want)
		}
	}
	op, _ := c.Operation("GET", "/v9/things/x/tag")
	if !reflect.DeepEqual(op.Params, map[string]string{"id": "x"}) {
		t.Errorf("params %v", op.Params)
	}
}

func TestNormalize30AndHeaders(t *testing.T) {
	c := testContract(t)
	h := http.Header{"Content-Type": {"application/json"}, "Request-Id": {"r1"}}
	ok := []string{
		`{"amount":1,"kind":null,"other":null}`,
		`{"amount":0.5,"kind":"a","other":{"n":1}}`,
	}
	for _, b := range ok {
		if err := c.ValidateResponse("GET", "/things/x/tag", 200, h, []byte(b)); err != nil {
			t.Errorf("%s: %v", b, err)
		}
	}
	for body, want := range map[string][]string{
		`{"amount":0}`:                   []string{"body/amount"}, // exclusiveMinimum: true became exclusiveMinimum: 0
		`{"kind":"c","amount":1}`:        []string{"body/kind"},
		`{"other":{"n":"x"},"amount":1}`: []string{"body/other/n"},
		`{}`:                             []string{"body"}, // missing required member
	} {
		if got := wheres(t, c.ValidateResponse("GET", "/things/x/tag", 200, h, []byte(body))); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %v, want %v", body, got, want)
		}
	}
	bad := http.Header{"Content-Type": {"application/json"}, "Retry-After": {"soon"}}
	got := wheres(t, c.ValidateResponse("GET", "/things/x/tag", 200, bad, []byte(`{"amount":1}`)))
	if want := []string{"header Request-Id", "header Retry-After"}; !reflect.DeepEqual(got, want) {
		t.Errorf("headers: got %v, want %v", got, want)
	}
	if err := c.ValidateResponse("GET", "/things/mine/x", 204, http.Header{}, nil); err != nil {
		t.Errorf("204 without content: %v", err)
	}
}
