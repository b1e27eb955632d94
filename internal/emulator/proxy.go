package emulator

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// proxy sits in front of moto and repairs the places where moto 5.2.1's wire
// answers differ from AWS's, so every client (Terraform, the SDK, the AWS CLI,
// jitsictl) sees what it would see on AWS. It fixes two things:
//
// 1. ECS (see ecsfix.go): task containers' cpu/memory come back as numbers,
// where ECS and the SDK use strings.
//
// 2. ELB: moto fills one gap of ELB:
// CreateLoadBalancer accepts SubnetMappings with AllocationId but DescribeLoadBalancers
// never returns the AvailabilityZones[].LoadBalancerAddresses that AWS returns. Without
// them Terraform sees every NLB with Elastic IPs as drifted (subnet_mapping never
// round-trips) and tests cannot check which addresses an NLB carries. The shim remembers
// the mappings of each CreateLoadBalancer and adds, per AWS's documented response shape,
//
//	<LoadBalancerAddresses><member><IpAddress>…</IpAddress><AllocationId>…</AllocationId></member></LoadBalancerAddresses>
//
// to each matching availability zone. Everything else passes through untouched. The
// aws-sdk-go-v2 deserializer is the contract: TestProxyAddressesMatchSDKShape decodes it.
type proxy struct {
	upstream *url.URL
	proxy    *httputil.ReverseProxy
	srv      *http.Server
	URL      string

	mu sync.Mutex
	// lbs maps a load balancer ARN to subnet ID -> address.
	lbs map[string]map[string]lbAddress
}

type lbAddress struct {
	allocationID, ip string
}

type proxyCtxKey struct{}

// proxyCall is what the request side learned, handed to the response side.
type proxyCall struct {
	action   string
	region   string
	mappings map[string]string // subnet -> allocation id (CreateLoadBalancer)
	arn      string            // DeleteLoadBalancer
}

func startProxy(upstream string) (*proxy, error) {
	u, err := url.Parse(upstream)
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &proxy{upstream: u, URL: "http://" + l.Addr().String(), lbs: map[string]map[string]lbAddress{}}
	s.proxy = httputil.NewSingleHostReverseProxy(u)
	s.proxy.ModifyResponse = s.modifyResponse
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(l) }()
	return s, nil
}

func (s *proxy) close() { _ = s.srv.Close() }

func (s *proxy) reset() {
	s.mu.Lock()
	s.lbs = map[string]map[string]lbAddress{}
	s.mu.Unlock()
}

func (s *proxy) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/moto-api/reset" {
		s.reset()
	}
	if isECS(r) {
		r.Header.Del("Accept-Encoding") // the response body may be rewritten as text
		r = r.WithContext(context.WithValue(r.Context(), proxyCtxKey{}, &proxyCall{action: "ecs"}))
	}
	if r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") && r.ContentLength >= 0 && r.ContentLength < 1<<20 {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		if call := parseELBCall(body, r.Header.Get("Authorization")); call != nil {
			r.Header.Del("Accept-Encoding") // the response body is rewritten as text
			r = r.WithContext(context.WithValue(r.Context(), proxyCtxKey{}, call))
		}
	}
	s.proxy.ServeHTTP(w, r)
}

func parseELBCall(body []byte, auth string) *proxyCall {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil
	}
	c := &proxyCall{action: form.Get("Action"), region: authRegion(auth)}
	switch c.action {
	case "CreateLoadBalancer":
		c.mappings = map[string]string{}
		for i := 1; ; i++ {
			p := "SubnetMappings.member." + strconv.Itoa(i) + "."
			subnet := form.Get(p + "SubnetId")
			if subnet == "" {
				break
			}
			if alloc := form.Get(p + "AllocationId"); alloc != "" {
				c.mappings[subnet] = alloc
			}
		}
		if len(c.mappings) == 0 {
			return nil
		}
	case "DeleteLoadBalancer":
		c.arn = form.Get("LoadBalancerArn")
	case "DescribeLoadBalancers":
	default:
		return nil
	}
	return c
}

// authRegion reads the region from a SigV4 credential scope (…/20260101/us-east-1/elasticloadbalancing/aws4_request).
func authRegion(auth string) string {
	_, scope, ok := strings.Cut(auth, "Credential=")
	if !ok {
		return "us-east-1"
	}
	parts := strings.Split(strings.SplitN(scope, ",", 2)[0], "/")
	if len(parts) < 3 {
		return "us-east-1"
	}
	return parts[2]
}

var (
	arnElem    = regexp.MustCompile(`<LoadBalancerArn>([^<]+)</LoadBalancerArn>`)
	subnetElem = regexp.MustCompile(`<SubnetId>([^<]+)</SubnetId>`)
)

func (s *proxy) modifyResponse(resp *http.Response) error {
	call, _ := resp.Request.Context().Value(proxyCtxKey{}).(*proxyCall)
	if call == nil || resp.StatusCode != http.StatusOK {
		return nil
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	switch call.action {
	case "ecs":
		if fixed, ok := fixContainers(body); ok {
			body = fixed
		}
	case "CreateLoadBalancer":
		if m := arnElem.FindSubmatch(body); m != nil {
			s.remember(string(m[1]), call)
		}
	case "DeleteLoadBalancer":
		s.mu.Lock()
		delete(s.lbs, call.arn)
		s.mu.Unlock()
	case "DescribeLoadBalancers":
		body = s.addAddresses(body)
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
	return nil
}

func (s *proxy) remember(arn string, call *proxyCall) {
	ips := s.publicIPs(call.region, call.mappings)
	addrs := map[string]lbAddress{}
	for subnet, alloc := range call.mappings {
		addrs[subnet] = lbAddress{allocationID: alloc, ip: ips[alloc]}
	}
	s.mu.Lock()
	s.lbs[arn] = addrs
	s.mu.Unlock()
}

// describeAddresses is the part of EC2's DescribeAddresses response the shim reads.
type describeAddresses struct {
	Items []struct {
		PublicIP     string `xml:"publicIp"`
		AllocationID string `xml:"allocationId"`
	} `xml:"addressesSet>item"`
}

// publicIPs asks moto's EC2 for the Elastic IPs' addresses (allocation id -> IP).
func (s *proxy) publicIPs(region string, mappings map[string]string) map[string]string {
	form := url.Values{"Action": {"DescribeAddresses"}, "Version": {"2016-11-15"}}
	i := 1
	for _, alloc := range mappings {
		form.Set("AllocationId."+strconv.Itoa(i), alloc)
		i++
	}
	req, err := http.NewRequest(http.MethodPost, s.upstream.String()+"/", strings.NewReader(form.Encode()))
	if err != nil {
		return nil
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	// moto routes by the credential scope's service and region; it does not check signatures.
	req.Header.Set("Authorization", fmt.Sprintf("AWS4-HMAC-SHA256 Credential=test/20260101/%s/ec2/aws4_request, SignedHeaders=host, Signature=0", region))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	var d describeAddresses
	if err := xml.NewDecoder(resp.Body).Decode(&d); err != nil {
		return nil
	}
	out := map[string]string{}
	for _, it := range d.Items {
		out[it.AllocationID] = it.PublicIP
	}
	return out
}

// addAddresses inserts LoadBalancerAddresses after each remembered SubnetId. A response
// lists load balancers one after another, each starting with its LoadBalancerArn, so the
// text between two ARNs belongs to the first.
func (s *proxy) addAddresses(body []byte) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.lbs) == 0 {
		return body
	}
	locs := arnElem.FindAllSubmatchIndex(body, -1)
	var out bytes.Buffer
	prev := 0
	for i, loc := range locs {
		end := len(body)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		out.Write(body[prev:loc[0]])
		addrs := s.lbs[string(body[loc[2]:loc[3]])]
		seg := body[loc[0]:end]
		if addrs != nil {
			seg = subnetElem.ReplaceAllFunc(seg, func(m []byte) []byte {
				a, ok := addrs[string(subnetElem.FindSubmatch(m)[1])]
				if !ok {
					return m
				}
				var x bytes.Buffer
				x.Write(m)
				x.WriteString("<LoadBalancerAddresses><member>")
				if a.ip != "" {
					x.WriteString("<IpAddress>" + a.ip + "</IpAddress>")
				}
				x.WriteString("<AllocationId>" + a.allocationID + "</AllocationId></member></LoadBalancerAddresses>")
				return x.Bytes()
			})
		}
		out.Write(seg)
		prev = end
	}
	out.Write(body[prev:])
	return out.Bytes()
}
