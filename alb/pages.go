package alb

import (
	"errors"

	"github.com/alibabacloud-go/tea/tea"
)

// eachPage follows the NextToken pages of the list action: page sends the
// request for the page of token (nil for the first), takes the page's items
// and returns its NextToken. eachPage stops after a page without one, when
// page returns a nil token and no error (its consumer stopped ranging), or
// at page's first error, which it returns. An answer that hands back the
// token it was asked with would be read again and again: it is a
// *NetworkError, as an answer without a body is.
func eachPage(action string, page func(token *string) (next *string, err error)) error {
	var token *string
	for {
		next, err := page(token)
		if err != nil {
			return err
		}
		n := tea.StringValue(next)
		if n == "" {
			return nil
		}
		if n == tea.StringValue(token) {
			return &NetworkError{Operation: action, Err: errors.New("the answer's NextToken is the request's: the pages do not advance")}
		}
		token = tea.String(n)
	}
}
