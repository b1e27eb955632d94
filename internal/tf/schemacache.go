package tf

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
)

// schemaCache stands between Terraform and a provider in debug mode (gRPC on a
// socket) and answers the provider-schema call from memory after its first answer.
// Every Terraform command that loads providers asks for the whole schema; the AWS
// provider builds its 4.9 MB answer anew each time, about 0.4 CPU-s measured on a
// 2-core machine, and the answer cannot change while the process lives. Every other
// call, streams included, passes through unchanged as raw bytes. Given the types
// the configurations name (keep), it answers with only those (trimSchema): the rest
// cost Terraform CPU on every command and cannot be used by it.
type schemaCache struct {
	srv *grpc.Server
	up  *grpc.ClientConn

	mu      sync.Mutex
	answers map[string][]byte // method + request -> response

	keep TypeSet // nil: the whole schema
	log  io.Writer

	served, fetched atomic.Int64
	kept, total     atomic.Int64 // types in the last answer built, and in the provider's
}

// schemaMethods are the provider-schema calls of plugin protocols 5 and 6.
var schemaMethods = map[string]bool{
	"/tfplugin5.Provider/GetSchema":         true,
	"/tfplugin6.Provider/GetProviderSchema": true,
}

// rawFrame is one gRPC message, undecoded.
type rawFrame struct{ b []byte }

// rawCodec passes messages through as bytes. Named "proto" so both sides keep the
// content type Terraform and the provider speak.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) { return v.(*rawFrame).b, nil }
func (rawCodec) Unmarshal(data []byte, v any) error {
	v.(*rawFrame).b = append([]byte(nil), data...)
	return nil
}
func (rawCodec) Name() string { return "proto" }

// maxMessage bounds one message: the AWS provider's schema alone is 4.9 MB,
// above gRPC's 4 MB default.
const maxMessage = 256 << 20

// cacheSchemas starts a schemaCache on the unix socket sock in front of the
// providers named in reattach (TF_REATTACH_PROVIDERS' JSON) and returns that JSON
// pointing at the cache instead. With keep, its answers hold only those types; it
// says how many in log.
func cacheSchemas(reattach, sock string, keep TypeSet, log io.Writer) (*schemaCache, string, error) {
	var providers map[string]map[string]any
	if err := json.Unmarshal([]byte(reattach), &providers); err != nil {
		return nil, "", fmt.Errorf("read the provider's %s: %w", ReattachEnv, err)
	}
	if len(providers) != 1 {
		return nil, "", fmt.Errorf("%s names %d providers, want one", ReattachEnv, len(providers))
	}
	var entry map[string]any
	for _, e := range providers { // the only one
		entry = e
	}
	addr, _ := entry["Addr"].(map[string]any)
	network, _ := addr["Network"].(string)
	target, _ := addr["String"].(string)
	switch network {
	case "unix":
		target = "unix://" + target
	case "tcp":
		target = "passthrough:///" + target
	default:
		return nil, "", fmt.Errorf("the provider listens on %q %q, which the schema cache cannot reach", network, target)
	}
	up, err := grpc.NewClient(target, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodec(rawCodec{}), grpc.MaxCallRecvMsgSize(maxMessage), grpc.MaxCallSendMsgSize(maxMessage)))
	if err != nil {
		return nil, "", err
	}
	l, err := net.Listen("unix", sock)
	if err != nil {
		up.Close()
		return nil, "", err
	}
	c := &schemaCache{up: up, answers: map[string][]byte{}, keep: keep, log: log}
	c.srv = grpc.NewServer(grpc.UnknownServiceHandler(c.handle), grpc.ForceServerCodec(rawCodec{}),
		grpc.MaxRecvMsgSize(maxMessage), grpc.MaxSendMsgSize(maxMessage))
	go func() { _ = c.srv.Serve(l) }()
	entry["Addr"] = map[string]any{"Network": "unix", "String": sock}
	out, err := json.Marshal(providers)
	if err != nil {
		c.Stop()
		return nil, "", err
	}
	return c, string(out), nil
}

// Stop ends every call in flight and closes the connection to the provider.
func (c *schemaCache) Stop() {
	c.srv.Stop()
	_ = c.up.Close()
}

func (c *schemaCache) handle(_ any, ss grpc.ServerStream) error {
	method, ok := grpc.MethodFromServerStream(ss)
	if !ok {
		return errors.New("schema cache: a call without a method")
	}
	md, _ := metadata.FromIncomingContext(ss.Context())
	ctx := metadata.NewOutgoingContext(ss.Context(), md.Copy())
	if schemaMethods[method] {
		return c.schema(ctx, method, ss)
	}
	return c.forward(ctx, method, ss)
}

// schema answers a schema call from memory, asking the provider the first time.
// Concurrent first calls may each ask: the answers are the same.
func (c *schemaCache) schema(ctx context.Context, method string, ss grpc.ServerStream) error {
	var req rawFrame
	if err := ss.RecvMsg(&req); err != nil {
		return err
	}
	key := method + "\x00" + string(req.b)
	c.mu.Lock()
	answer, ok := c.answers[key]
	c.mu.Unlock()
	if !ok {
		var resp rawFrame
		if err := c.up.Invoke(ctx, method, &req, &resp); err != nil {
			return err
		}
		c.fetched.Add(1)
		answer = resp.b
		if c.keep != nil {
			trimmed, kept, total, err := trimSchema(answer, c.keep)
			if err != nil {
				return err
			}
			c.kept.Store(int64(kept))
			c.total.Store(int64(total))
			fmt.Fprintf(c.log, "jitsictl schema cache: answering %s with %d of the provider's %d types (%d of %d bytes), those the configurations name\n",
				method, kept, total, len(trimmed), len(answer))
			answer = trimmed
		}
		c.mu.Lock()
		c.answers[key] = answer
		c.mu.Unlock()
	}
	c.served.Add(1)
	return ss.SendMsg(&rawFrame{answer})
}

// forward relays one call of any kind (unary or streaming) to the provider and
// its answers back, headers and trailers included.
func (c *schemaCache) forward(ctx context.Context, method string, ss grpc.ServerStream) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cs, err := c.up.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true, ClientStreams: true}, method)
	if err != nil {
		return err
	}
	go func() {
		for {
			var f rawFrame
			if err := ss.RecvMsg(&f); err != nil {
				if err == io.EOF {
					_ = cs.CloseSend()
				} else {
					cancel()
				}
				return
			}
			if err := cs.SendMsg(&f); err != nil {
				return
			}
		}
	}()
	headerSent := false
	for {
		var f rawFrame
		err := cs.RecvMsg(&f)
		if !headerSent {
			if h, herr := cs.Header(); herr == nil && len(h) > 0 {
				if err != nil {
					_ = ss.SetHeader(h)
				} else if serr := ss.SendHeader(h); serr != nil {
					return serr
				}
			}
			headerSent = true
		}
		if err != nil {
			ss.SetTrailer(cs.Trailer())
			if err == io.EOF {
				return nil
			}
			return err
		}
		if err := ss.SendMsg(&f); err != nil {
			return err
		}
	}
}
