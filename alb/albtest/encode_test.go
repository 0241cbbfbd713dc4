package albtest

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"strings"
	"testing"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
)

// Every answer the tests of this package provoke is encoded both ways and compared,
// and every GetLoadBalancerAttribute answer served from an instance's cache is
// compared with the answer built afresh (not while benchmarking, where the checks
// would be measured too).
func TestMain(m *testing.M) {
	flag.Parse()
	if f := flag.Lookup("test.bench"); f == nil || f.Value.String() == "" {
		checkEncoding = func(v any, got []byte) {
			want, err := json.Marshal(v)
			if err != nil || !bytes.Equal(got, want) {
				panic(fmt.Sprintf("albtest: fast JSON encoding of %T differs from encoding/json:\n got %s\nwant %s (%v)", v, got, want, err))
			}
		}
		checkCachedAnswer = func(cached []byte, fresh any) {
			want, err := json.Marshal(fresh)
			if err != nil || !bytes.Equal(cached, want) {
				panic(fmt.Sprintf("albtest: cached GetLoadBalancerAttribute answer is stale:\n got %s\nwant %s (%v)", cached, want, err))
			}
		}
	}
	os.Exit(m.Run())
}

// fill sets every field of the value v points to at random: nil or set pointers, nil,
// empty or filled slices, strings rich in characters JSON escapes.
func fill(r *rand.Rand, v reflect.Value, depth int) {
	const alphabet = "aZ0 \"\\<>&\n\t\x01\x7f/é\u2028\u2029\xff\xfe"
	switch v.Kind() {
	case reflect.String:
		var b strings.Builder
		for range r.IntN(6) {
			b.WriteByte(alphabet[r.IntN(len(alphabet))])
		}
		v.SetString(b.String())
	case reflect.Bool:
		v.SetBool(r.IntN(2) == 0)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(r.Int64N(1<<20) - 1<<19)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(r.Uint64N(1 << 20))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(r.Float64() * 1e6)
	case reflect.Pointer:
		if depth > 6 || r.IntN(4) == 0 {
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		fill(r, v.Elem(), depth+1)
	case reflect.Slice:
		switch r.IntN(3) {
		case 0:
			return
		case 1:
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		default:
			n := 1 + r.IntN(3)
			v.Set(reflect.MakeSlice(v.Type(), n, n))
			for i := range n {
				fill(r, v.Index(i), depth+1)
			}
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(r, v.Field(i), depth+1)
			}
		}
	}
}

func TestFastJSONMatchesEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	samples := []any{
		&albsdk.GetLoadBalancerAttributeResponseBody{}, &albsdk.ListLoadBalancersResponseBody{},
		&albsdk.CreateLoadBalancerResponseBody{}, &albsdk.ListAsynJobsResponseBody{},
		&albsdk.DescribeZonesResponseBody{}, &describeVSwitchesJSON{}, &describeEipsJSON{},
		&describeCbwpJSON{}, &errorBody{},
		&struct {
			A string `json:"a,omitempty"`
			B *int   `json:"-"`
			C []bool `json:",omitempty"`
			D uint8  `json:"bad\"name"`
			e string
		}{},
	}
	for _, s := range samples {
		typ := reflect.TypeOf(s).Elem()
		if planFor(reflect.TypeOf(s)) == nil {
			t.Errorf("%v: not handled by the fast path", typ)
			continue
		}
		for range 300 {
			v := reflect.New(typ)
			fill(r, v.Elem(), 0)
			got, ok := appendJSON(nil, v.Interface())
			want, err := json.Marshal(v.Interface())
			if !ok || err != nil || !bytes.Equal(got, want) {
				t.Fatalf("%v:\n got %s (%v)\nwant %s (%v)", typ, got, ok, want, err)
			}
		}
	}
	// Shapes outside the fast path are left to encoding/json.
	for _, v := range []any{map[string]int{"a": 1}, struct{ F float64 }{}, struct{ I any }{}, []byte("x"), json.RawMessage(`1`)} {
		if _, ok := appendJSON(nil, v); ok {
			t.Errorf("%T: fast path claimed an unsupported shape", v)
		}
	}
}
