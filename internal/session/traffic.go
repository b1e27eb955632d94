package session

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// Metrics is the CloudWatch call idle detection needs.
type Metrics interface {
	GetMetricData(context.Context, *cloudwatch.GetMetricDataInput, ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error)
}

// CloudWatchTraffic reads the NLB's UDP metrics: a meeting sends media all
// the time, so a window without new UDP flows and without UDP bytes is idle.
type CloudWatchTraffic struct {
	API Metrics
	Now func() time.Time
}

// Idle reports whether the NLB saw no UDP flows and no UDP bytes in the window.
// No datapoints at all also counts as idle: NLB metrics are only published
// while there is traffic.
func (c CloudWatchTraffic) Idle(ctx context.Context, nlbArn string, window time.Duration) (bool, error) {
	dim, err := LoadBalancerDimension(nlbArn)
	if err != nil {
		return false, err
	}
	now := time.Now()
	if c.Now != nil {
		now = c.Now()
	}
	query := func(id, metric string) cwtypes.MetricDataQuery {
		return cwtypes.MetricDataQuery{
			Id: aws.String(id),
			MetricStat: &cwtypes.MetricStat{
				Metric: &cwtypes.Metric{
					Namespace:  aws.String("AWS/NetworkELB"),
					MetricName: aws.String(metric),
					Dimensions: []cwtypes.Dimension{{Name: aws.String("LoadBalancer"), Value: aws.String(dim)}},
				},
				Period: aws.Int32(60),
				Stat:   aws.String("Sum"),
			},
		}
	}
	out, err := c.API.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(now.Add(-window)),
		EndTime:   aws.Time(now),
		MetricDataQueries: []cwtypes.MetricDataQuery{
			query("flows", "NewFlowCount_UDP"),
			query("bytes", "ProcessedBytes_UDP"),
		},
	})
	if err != nil {
		return false, fmt.Errorf("CloudWatch GetMetricData for %s: %w", dim, err)
	}
	for _, r := range out.MetricDataResults {
		for _, v := range r.Values {
			if v > 0 {
				return false, nil
			}
		}
	}
	return true, nil
}

// LoadBalancerDimension turns an NLB ARN into CloudWatch's "net/name/id".
func LoadBalancerDimension(arn string) (string, error) {
	i := strings.Index(arn, ":loadbalancer/")
	if i < 0 {
		return "", fmt.Errorf("not a load balancer ARN: %q", arn)
	}
	return arn[i+len(":loadbalancer/"):], nil
}
