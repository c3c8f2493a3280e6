//! Log queries: whether a log meets a filter's criteria, and how a filter's block tags become a bounded
//! numeric range before the backend is asked.

use alloy_eips::BlockNumberOrTag;
use alloy_rpc_types_eth::{Filter, FilterBlockOption, Log};

use crate::error::{BackendError, RpcError};

/// Whether `log` is emitted by one of the filter's addresses, has the filter's topics, and lies in its
/// block hash or numeric block bounds (tags such as `latest` impose no bound on live logs).
pub fn log_matches_criteria(filter: &Filter, log: &Log) -> bool {
    if !filter.matches(&log.inner) {
        return false;
    }
    match filter.block_option {
        FilterBlockOption::AtBlockHash(hash) => log.block_hash == Some(hash),
        FilterBlockOption::Range { .. } => log.block_number.is_none_or(|n| filter.matches_block_range(n)),
    }
}

/// The filter to hand to the backend: a block-hash filter unchanged, or a range with numeric bounds (tags
/// resolved by `resolve`, missing bounds meaning `latest`, bounds past the head clamped to it). `Ok(None)`
/// when the range starts past the head (the answer is empty).
pub fn bounded_log_filter(
    filter: &Filter,
    max_range: u64,
    head: u64,
    resolve: impl Fn(BlockNumberOrTag) -> Result<Option<u64>, BackendError>,
) -> Result<Option<Filter>, RpcError> {
    let FilterBlockOption::Range { from_block, to_block } = filter.block_option else {
        return Ok(Some(filter.clone()));
    };
    let resolve_or_head = |tag: Option<BlockNumberOrTag>| -> Result<Option<u64>, RpcError> {
        let tag = tag.unwrap_or(BlockNumberOrTag::Latest);
        Ok(resolve(tag)?)
    };
    let Some(from) = resolve_or_head(from_block)? else { return Ok(None) };
    if from > head {
        return Ok(None);
    }
    let to = resolve_or_head(to_block)?.unwrap_or(head).min(head);
    if from > to {
        return Err(RpcError::InvertedRange { from, to });
    }
    let requested = to - from + 1;
    if requested > max_range {
        return Err(RpcError::LogRangeTooLarge { requested, max: max_range });
    }
    Ok(Some(filter.clone().from_block(from).to_block(to)))
}

#[cfg(test)]
mod tests {
    use alloy_primitives::{Address, B256, LogData};

    use super::*;

    fn resolver(head: u64) -> impl Fn(BlockNumberOrTag) -> Result<Option<u64>, BackendError> {
        move |tag| {
            Ok(match tag {
                BlockNumberOrTag::Number(n) => (n <= head).then_some(n),
                BlockNumberOrTag::Earliest => Some(0),
                _ => Some(head),
            })
        }
    }

    #[test]
    fn missing_bounds_mean_latest() {
        let bounded = bounded_log_filter(&Filter::new(), 100, 42, resolver(42)).unwrap().unwrap();
        assert_eq!(bounded.get_from_block(), Some(42));
        assert_eq!(bounded.get_to_block(), Some(42));
    }

    #[test]
    fn too_wide_range_is_refused_with_its_size() {
        let filter = Filter::new().from_block(BlockNumberOrTag::Earliest).to_block(BlockNumberOrTag::Latest);
        let err = bounded_log_filter(&filter, 10, 42, resolver(42)).unwrap_err();
        assert_eq!(err, RpcError::LogRangeTooLarge { requested: 43, max: 10 });
        assert!(bounded_log_filter(&filter, 43, 42, resolver(42)).unwrap().is_some());
    }

    #[test]
    fn inverted_range_is_refused_and_range_past_head_is_empty() {
        let inverted = Filter::new().from_block(5u64).to_block(3u64);
        assert_eq!(
            bounded_log_filter(&inverted, 100, 42, resolver(42)).unwrap_err(),
            RpcError::InvertedRange { from: 5, to: 3 }
        );
        let future = Filter::new().from_block(50u64).to_block(60u64);
        assert_eq!(bounded_log_filter(&future, 100, 42, resolver(42)).unwrap(), None);
        let clamped =
            bounded_log_filter(&Filter::new().from_block(40u64).to_block(60u64), 100, 42, resolver(42));
        assert_eq!(clamped.unwrap().unwrap().get_to_block(), Some(42));
    }

    #[test]
    fn criteria_check_address_topics_and_block_hash() {
        let address = Address::with_last_byte(7);
        let topic = B256::with_last_byte(9);
        let log = Log {
            inner: alloy_primitives::Log {
                address,
                data: LogData::new_unchecked(vec![topic], Default::default()),
            },
            block_number: Some(3),
            block_hash: Some(B256::with_last_byte(3)),
            ..Default::default()
        };
        assert!(log_matches_criteria(&Filter::new().address(address).event_signature(topic), &log));
        assert!(!log_matches_criteria(&Filter::new().address(Address::ZERO), &log));
        assert!(!log_matches_criteria(&Filter::new().event_signature(B256::ZERO), &log));
        assert!(log_matches_criteria(&Filter::new().at_block_hash(B256::with_last_byte(3)), &log));
        assert!(!log_matches_criteria(&Filter::new().at_block_hash(B256::ZERO), &log));
        assert!(!log_matches_criteria(&Filter::new().from_block(4u64), &log));
    }
}
