// A stand-in for github.com/dolthub/go-icu-regex, used through a replace
// directive in the paysandbox go.mod. See regex.go.
module github.com/dolthub/go-icu-regex

go 1.26
