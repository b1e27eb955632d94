package awsx

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
)

func TestValidateRegion(t *testing.T) {
	t.Parallel()
	if err := ValidateRegion("eu-central-1"); err != nil {
		t.Fatalf("valid region rejected: %v", err)
	}
	err := ValidateRegion("us-est-1")
	if err == nil || !strings.Contains(err.Error(), `did you mean "us-east-1"`) {
		t.Fatalf("typo not explained: %v", err)
	}
	err = ValidateRegion("mars")
	if err == nil || strings.Contains(err.Error(), "did you mean") {
		t.Fatalf("far-off name should get generic advice, got %v", err)
	}
}

func TestLoadRejectsRegionTypoBeforeAnyCall(t *testing.T) {
	t.Parallel()
	env := map[string]string{"AWS_REGION": "eu-wst-1"}
	_, err := Load(context.Background(), Settings{Getenv: func(k string) string { return env[k] }})
	if err == nil || !strings.Contains(err.Error(), `did you mean "eu-west-1"`) {
		t.Fatalf("got %v", err)
	}
}

func TestExplainExpiredSSO(t *testing.T) {
	t.Parallel()
	err := Explain(&ssocreds.InvalidTokenError{Err: errors.New("token expired")}, "jitsi-hosting")
	if err == nil || !strings.Contains(err.Error(), "aws sso login --profile jitsi-hosting") {
		t.Fatalf("got %v", err)
	}
}
