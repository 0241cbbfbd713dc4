// Temporary: keeps module dependencies pinned until the packages import them.
package albkit

import (
	_ "github.com/alibabacloud-go/alb-20200616/v2/client"
	_ "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	_ "github.com/cenkalti/backoff/v4"
	_ "github.com/go-playground/validator/v10"
	_ "golang.org/x/time/rate"
)
