package alb

import (
	"errors"
	"testing"

	"github.com/alibabacloud-go/tea/tea"
)

// TestEachPageRefusesATokenThatDoesNotAdvance: an answer whose NextToken
// is the token it was asked with ends the pages with a *NetworkError
// naming the action, after the second page, instead of reading the same
// page for ever.
func TestEachPageRefusesATokenThatDoesNotAdvance(t *testing.T) {
	calls := 0
	err := eachPage("ListListeners", func(token *string) (*string, error) {
		if calls++; calls > 10 {
			return nil, errors.New("read the same page ten times")
		}
		return tea.String("page-2"), nil
	})
	var ne *NetworkError
	if !errors.As(err, &ne) || ne.Operation != "ListListeners" || calls != 2 || !errors.Is(err, ErrNetwork) {
		t.Fatalf("eachPage = %v after %d pages; want a *NetworkError of ListListeners after 2", err, calls)
	}
}
