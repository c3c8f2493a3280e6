// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title IPermit2ContractSigner
/// @notice The EIP-1271 query Permit2 sends to an owner that is a contract: `isValidSignature(hash, signature)` answers
///         its own selector (`0x1626ba7e`) when the contract accepts the signature.
interface IPermit2ContractSigner {
    /// @notice `0x1626ba7e` when `signature` is the contract's valid signature of `hash`.
    function isValidSignature(bytes32 hash, bytes memory signature) external view returns (bytes4 magicValue);
}

/// @title Permit2
/// @notice ERC-20 approvals by signature, with the interface of the Permit2 preinstall at
///         `0x000000000022D473030F116dDEE9F6B43aC78BA3` (`specs/protocol/preinstalls.md`). An owner approves Permit2
///         once per token (a plain ERC-20 `approve`) and then grants spenders access with EIP-712 messages:
///
///         - Signature transfers: a signed `PermitTransferFrom`/`PermitBatchTransferFrom` lets the spender named in
///           it (the caller) move up to the signed amounts once, before the deadline. Nonces are unordered: bit
///           `nonce % 256` of word `nonce / 256` of the owner's bitmap, spent once. The witness variants let the
///           spender bind extra data of its own type into the signed message.
///         - Allowance transfers: `approve`, or a signed `PermitSingle`/`PermitBatch`, sets a per (owner, token,
///           spender) allowance with an expiry, which the spender draws on with `transferFrom`. An amount of
///           `type(uint160).max` is never spent; an expiration of 0 means "the current block only". Signed permits
///           carry the allowance's ordered nonce, which each permit advances.
///
///         Signatures of accounts without code are ECDSA (65 bytes `r ‖ s ‖ v`, or 64 bytes EIP-2098 `r ‖ vs`);
///         contracts are asked through EIP-1271. The EIP-712 domain is `EIP712Domain(string name,uint256 chainId,
///         address verifyingContract)` with name "Permit2"; it is computed at every call from the chain ID and this
///         address (the code is placed at genesis, where no constructor runs). The type strings are the original
///         Permit2's, so messages signed by its SDKs and by wallets verify here unchanged. Token transfers accept
///         tokens that return `true` or nothing, and revert with "TRANSFER_FROM_FAILED" otherwise; as in the original,
///         an address without code counts as a token whose transfers succeed.
///
///         The storage layout is the original's: the nonce bitmaps at slot 0, the packed allowances at slot 1.
contract Permit2 {
    // ---------------------------------------------------------------------------------------------------------------
    // Types
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice A token and the most a signature transfer may move of it.
    struct TokenPermissions {
        address token;
        uint256 amount;
    }

    /// @notice The signed message of a single-token signature transfer (the spender is the caller).
    struct PermitTransferFrom {
        TokenPermissions permitted;
        uint256 nonce;
        uint256 deadline;
    }

    /// @notice The signed message of a multi-token signature transfer (the spender is the caller).
    struct PermitBatchTransferFrom {
        TokenPermissions[] permitted;
        uint256 nonce;
        uint256 deadline;
    }

    /// @notice Where a signature transfer sends a token, and how much of the permitted amount.
    struct SignatureTransferDetails {
        address to;
        uint256 requestedAmount;
    }

    /// @notice The allowance a permit sets for one token.
    struct PermitDetails {
        address token;
        uint160 amount;
        uint48 expiration;
        uint48 nonce;
    }

    /// @notice The signed message setting one allowance of `spender`.
    struct PermitSingle {
        PermitDetails details;
        address spender;
        uint256 sigDeadline;
    }

    /// @notice The signed message setting several allowances of `spender`.
    struct PermitBatch {
        PermitDetails[] details;
        address spender;
        uint256 sigDeadline;
    }

    /// @notice An allowance as stored, in one word.
    struct PackedAllowance {
        uint160 amount;
        uint48 expiration;
        uint48 nonce;
    }

    /// @notice A token and a spender, for `lockdown`.
    struct TokenSpenderPair {
        address token;
        address spender;
    }

    /// @notice One transfer of a batch `transferFrom`.
    struct AllowanceTransferDetails {
        address from;
        address to;
        uint160 amount;
        address token;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Events and errors
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice `owner` spent the unordered nonces of bitmap word `word` set in `mask`.
    event UnorderedNonceInvalidation(address indexed owner, uint256 word, uint256 mask);
    /// @notice `owner` moved the ordered nonce of (`token`, `spender`) from `oldNonce` to `newNonce`.
    event NonceInvalidation(
        address indexed owner, address indexed token, address indexed spender, uint48 newNonce, uint48 oldNonce
    );
    /// @notice `owner` set the allowance of `spender` on `token` with `approve`.
    event Approval(
        address indexed owner, address indexed token, address indexed spender, uint160 amount, uint48 expiration
    );
    /// @notice A signed permit of `owner` with nonce `nonce` set the allowance of `spender` on `token`.
    event Permit(
        address indexed owner,
        address indexed token,
        address indexed spender,
        uint160 amount,
        uint48 expiration,
        uint48 nonce
    );
    /// @notice `owner` zeroed the allowance of `spender` on `token`.
    event Lockdown(address indexed owner, address token, address spender);

    /// @notice The signature's deadline has passed.
    error SignatureExpired(uint256 signatureDeadline);
    /// @notice The nonce was spent already, or is not the allowance's current one.
    error InvalidNonce();
    /// @notice A signature transfer asks for more than the signed `maxAmount`.
    error InvalidAmount(uint256 maxAmount);
    /// @notice A batch signature transfer has not one transfer per permitted token.
    error LengthMismatch();
    /// @notice The allowance expired at `deadline`.
    error AllowanceExpired(uint256 deadline);
    /// @notice The transfer exceeds the allowance of `amount`.
    error InsufficientAllowance(uint256 amount);
    /// @notice `invalidateNonces` may skip at most 2^16 - 1 nonces at once.
    error ExcessiveInvalidation();
    /// @notice An ECDSA signature is neither 65 nor 64 bytes long.
    error InvalidSignatureLength();
    /// @notice The ECDSA signature recovers no signer.
    error InvalidSignature();
    /// @notice The ECDSA signature recovers someone other than the owner.
    error InvalidSigner();
    /// @notice The owner contract does not accept the signature (EIP-1271).
    error InvalidContractSignature();

    // ---------------------------------------------------------------------------------------------------------------
    // EIP-712 type hashes
    // ---------------------------------------------------------------------------------------------------------------

    bytes32 internal constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,uint256 chainId,address verifyingContract)");
    bytes32 internal constant NAME_HASH = keccak256("Permit2");

    bytes32 internal constant PERMIT_DETAILS_TYPEHASH =
        keccak256("PermitDetails(address token,uint160 amount,uint48 expiration,uint48 nonce)");
    bytes32 internal constant PERMIT_SINGLE_TYPEHASH = keccak256(
        "PermitSingle(PermitDetails details,address spender,uint256 sigDeadline)"
        "PermitDetails(address token,uint160 amount,uint48 expiration,uint48 nonce)"
    );
    bytes32 internal constant PERMIT_BATCH_TYPEHASH = keccak256(
        "PermitBatch(PermitDetails[] details,address spender,uint256 sigDeadline)"
        "PermitDetails(address token,uint160 amount,uint48 expiration,uint48 nonce)"
    );
    bytes32 internal constant TOKEN_PERMISSIONS_TYPEHASH = keccak256("TokenPermissions(address token,uint256 amount)");
    bytes32 internal constant PERMIT_TRANSFER_FROM_TYPEHASH = keccak256(
        "PermitTransferFrom(TokenPermissions permitted,address spender,uint256 nonce,uint256 deadline)"
        "TokenPermissions(address token,uint256 amount)"
    );
    bytes32 internal constant PERMIT_BATCH_TRANSFER_FROM_TYPEHASH = keccak256(
        "PermitBatchTransferFrom(TokenPermissions[] permitted,address spender,uint256 nonce,uint256 deadline)"
        "TokenPermissions(address token,uint256 amount)"
    );
    /// @notice The head of a witness transfer's type string; the caller's `witnessTypeString` completes it (the
    ///         witness field, `)`, then the referenced types in EIP-712 order, `TokenPermissions` among them).
    string internal constant PERMIT_WITNESS_TRANSFER_FROM_STUB =
        "PermitWitnessTransferFrom(TokenPermissions permitted,address spender,uint256 nonce,uint256 deadline,";
    /// @notice The batch counterpart of `PERMIT_WITNESS_TRANSFER_FROM_STUB`.
    string internal constant PERMIT_BATCH_WITNESS_TRANSFER_FROM_STUB =
        "PermitBatchWitnessTransferFrom(TokenPermissions[] permitted,address spender,uint256 nonce,uint256 deadline,";

    // ---------------------------------------------------------------------------------------------------------------
    // State
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice The unordered-nonce bitmaps: owner => word position => bits of spent nonces.
    mapping(address owner => mapping(uint256 word => uint256 bits)) public nonceBitmap;

    /// @notice The allowances: owner => token => spender => (amount, expiration, nonce).
    mapping(address owner => mapping(address token => mapping(address spender => PackedAllowance))) public allowance;

    /// @notice The EIP-712 domain separator of this chain and address.
    function DOMAIN_SEPARATOR() public view returns (bytes32) {
        return keccak256(abi.encode(DOMAIN_TYPEHASH, NAME_HASH, block.chainid, address(this)));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Signature transfers
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice Moves `transferDetails.requestedAmount` of the permitted token from `owner` to `transferDetails.to`,
    ///         on `owner`'s signature of `signedPermit` naming the caller as spender.
    function permitTransferFrom(
        PermitTransferFrom memory signedPermit,
        SignatureTransferDetails calldata transferDetails,
        address owner,
        bytes calldata signature
    ) external {
        _permitTransferFrom(signedPermit, transferDetails, owner, _hashPermitTransferFrom(signedPermit), signature);
    }

    /// @notice `permitTransferFrom` of a message that also binds `witness`, a struct hash of the caller's type
    ///         described by `witnessTypeString`.
    function permitWitnessTransferFrom(
        PermitTransferFrom memory signedPermit,
        SignatureTransferDetails calldata transferDetails,
        address owner,
        bytes32 witness,
        string calldata witnessTypeString,
        bytes calldata signature
    ) external {
        bytes32 typeHash = keccak256(abi.encodePacked(PERMIT_WITNESS_TRANSFER_FROM_STUB, witnessTypeString));
        bytes32 structHash = keccak256(
            abi.encode(
                typeHash, _hashTokenPermissions(signedPermit.permitted), msg.sender, signedPermit.nonce, signedPermit.deadline, witness
            )
        );
        _permitTransferFrom(signedPermit, transferDetails, owner, structHash, signature);
    }

    /// @notice Moves several tokens from `owner`, one transfer per permitted token (a requested amount of 0 moves
    ///         nothing), on `owner`'s signature of `signedPermit` naming the caller as spender.
    function permitTransferFrom(
        PermitBatchTransferFrom memory signedPermit,
        SignatureTransferDetails[] calldata transferDetails,
        address owner,
        bytes calldata signature
    ) external {
        _permitBatchTransferFrom(signedPermit, transferDetails, owner, _hashPermitBatchTransferFrom(signedPermit), signature);
    }

    /// @notice The batch `permitTransferFrom` of a message that also binds `witness`.
    function permitWitnessTransferFrom(
        PermitBatchTransferFrom memory signedPermit,
        SignatureTransferDetails[] calldata transferDetails,
        address owner,
        bytes32 witness,
        string calldata witnessTypeString,
        bytes calldata signature
    ) external {
        bytes32 typeHash = keccak256(abi.encodePacked(PERMIT_BATCH_WITNESS_TRANSFER_FROM_STUB, witnessTypeString));
        bytes32 structHash = keccak256(
            abi.encode(
                typeHash,
                _hashTokenPermissionsArray(signedPermit.permitted),
                msg.sender,
                signedPermit.nonce,
                signedPermit.deadline,
                witness
            )
        );
        _permitBatchTransferFrom(signedPermit, transferDetails, owner, structHash, signature);
    }

    /// @notice Spends, for the caller, the unordered nonces of word `wordPos` whose bits are set in `mask`.
    function invalidateUnorderedNonces(uint256 wordPos, uint256 mask) external {
        nonceBitmap[msg.sender][wordPos] |= mask;
        emit UnorderedNonceInvalidation(msg.sender, wordPos, mask);
    }

    function _permitTransferFrom(
        PermitTransferFrom memory signedPermit,
        SignatureTransferDetails calldata transferDetails,
        address owner,
        bytes32 structHash,
        bytes calldata signature
    ) internal {
        if (block.timestamp > signedPermit.deadline) revert SignatureExpired(signedPermit.deadline);
        uint256 requested = transferDetails.requestedAmount;
        if (requested > signedPermit.permitted.amount) revert InvalidAmount(signedPermit.permitted.amount);
        _spendUnorderedNonce(owner, signedPermit.nonce);
        _verify(signature, _typedDataHash(structHash), owner);
        _safeTransferFrom(signedPermit.permitted.token, owner, transferDetails.to, requested);
    }

    function _permitBatchTransferFrom(
        PermitBatchTransferFrom memory signedPermit,
        SignatureTransferDetails[] calldata transferDetails,
        address owner,
        bytes32 structHash,
        bytes calldata signature
    ) internal {
        if (block.timestamp > signedPermit.deadline) revert SignatureExpired(signedPermit.deadline);
        uint256 count = signedPermit.permitted.length;
        if (count != transferDetails.length) revert LengthMismatch();
        _spendUnorderedNonce(owner, signedPermit.nonce);
        _verify(signature, _typedDataHash(structHash), owner);
        for (uint256 i = 0; i < count; i++) {
            TokenPermissions memory permitted = signedPermit.permitted[i];
            uint256 requested = transferDetails[i].requestedAmount;
            if (requested > permitted.amount) revert InvalidAmount(permitted.amount);
            if (requested != 0) _safeTransferFrom(permitted.token, owner, transferDetails[i].to, requested);
        }
    }

    /// @notice Marks unordered nonce `nonce` of `owner` spent, reverting when it already was.
    function _spendUnorderedNonce(address owner, uint256 nonce) internal {
        uint256 bit = 1 << (nonce & 0xff);
        uint256 word = nonce >> 8;
        uint256 bits = nonceBitmap[owner][word];
        if (bits & bit != 0) revert InvalidNonce();
        nonceBitmap[owner][word] = bits | bit;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Allowance transfers
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice Sets the caller's allowance of `spender` on `token` to `amount` until `expiration` (0: this block),
    ///         keeping its nonce.
    function approve(address token, address spender, uint160 amount, uint48 expiration) external {
        PackedAllowance storage allowed = allowance[msg.sender][token][spender];
        allowed.amount = amount;
        allowed.expiration = _effectiveExpiration(expiration);
        emit Approval(msg.sender, token, spender, amount, expiration);
    }

    /// @notice Sets an allowance on `owner`'s signature of `permitSingle`, whose nonce must be the allowance's
    ///         current one.
    function permit(address owner, PermitSingle memory permitSingle, bytes calldata signature) external {
        if (block.timestamp > permitSingle.sigDeadline) revert SignatureExpired(permitSingle.sigDeadline);
        bytes32 structHash = keccak256(
            abi.encode(
                PERMIT_SINGLE_TYPEHASH,
                _hashPermitDetails(permitSingle.details),
                permitSingle.spender,
                permitSingle.sigDeadline
            )
        );
        _verify(signature, _typedDataHash(structHash), owner);
        _permitAllowance(owner, permitSingle.details, permitSingle.spender);
    }

    /// @notice Sets several allowances of one spender on `owner`'s signature of `permitBatch`.
    function permit(address owner, PermitBatch memory permitBatch, bytes calldata signature) external {
        if (block.timestamp > permitBatch.sigDeadline) revert SignatureExpired(permitBatch.sigDeadline);
        uint256 count = permitBatch.details.length;
        bytes32[] memory detailHashes = new bytes32[](count);
        for (uint256 i = 0; i < count; i++) {
            detailHashes[i] = _hashPermitDetails(permitBatch.details[i]);
        }
        bytes32 structHash = keccak256(
            abi.encode(
                PERMIT_BATCH_TYPEHASH,
                keccak256(abi.encodePacked(detailHashes)),
                permitBatch.spender,
                permitBatch.sigDeadline
            )
        );
        _verify(signature, _typedDataHash(structHash), owner);
        for (uint256 i = 0; i < count; i++) {
            _permitAllowance(owner, permitBatch.details[i], permitBatch.spender);
        }
    }

    /// @notice Moves `amount` of `token` from `from` to `to`, drawing on `from`'s allowance of the caller.
    function transferFrom(address from, address to, uint160 amount, address token) external {
        _transferFromAllowance(from, to, amount, token);
    }

    /// @notice `transferFrom` for each entry, each drawing on the allowance its owner gave the caller.
    function transferFrom(AllowanceTransferDetails[] calldata transferDetails) external {
        for (uint256 i = 0; i < transferDetails.length; i++) {
            AllowanceTransferDetails calldata details = transferDetails[i];
            _transferFromAllowance(details.from, details.to, details.amount, details.token);
        }
    }

    /// @notice Zeroes the caller's allowances of the listed (token, spender) pairs, keeping expiries and nonces.
    function lockdown(TokenSpenderPair[] calldata approvals) external {
        for (uint256 i = 0; i < approvals.length; i++) {
            address token = approvals[i].token;
            address spender = approvals[i].spender;
            allowance[msg.sender][token][spender].amount = 0;
            emit Lockdown(msg.sender, token, spender);
        }
    }

    /// @notice Advances the caller's ordered nonce of (`token`, `spender`) to `newNonce`, voiding every permit signed
    ///         with a lower one; at most 2^16 - 1 nonces at once.
    function invalidateNonces(address token, address spender, uint48 newNonce) external {
        PackedAllowance storage allowed = allowance[msg.sender][token][spender];
        uint48 oldNonce = allowed.nonce;
        if (newNonce <= oldNonce) revert InvalidNonce();
        if (newNonce - oldNonce > type(uint16).max) revert ExcessiveInvalidation();
        allowed.nonce = newNonce;
        emit NonceInvalidation(msg.sender, token, spender, newNonce, oldNonce);
    }

    function _permitAllowance(address owner, PermitDetails memory details, address spender) internal {
        PackedAllowance storage allowed = allowance[owner][details.token][spender];
        uint48 nonce = details.nonce;
        if (allowed.nonce != nonce) revert InvalidNonce();
        allowed.amount = details.amount;
        allowed.expiration = _effectiveExpiration(details.expiration);
        unchecked {
            allowed.nonce = nonce + 1;
        }
        emit Permit(owner, details.token, spender, details.amount, details.expiration, nonce);
    }

    function _transferFromAllowance(address from, address to, uint160 amount, address token) internal {
        PackedAllowance storage allowed = allowance[from][token][msg.sender];
        uint48 expiration = allowed.expiration;
        if (block.timestamp > expiration) revert AllowanceExpired(expiration);
        uint160 available = allowed.amount;
        if (available != type(uint160).max) {
            if (amount > available) revert InsufficientAllowance(available);
            unchecked {
                allowed.amount = available - amount;
            }
        }
        _safeTransferFrom(token, from, to, amount);
    }

    /// @notice An expiration of 0 stands for the current block's timestamp.
    function _effectiveExpiration(uint48 expiration) internal view returns (uint48) {
        return expiration == 0 ? uint48(block.timestamp) : expiration;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Hashing, signatures, transfers
    // ---------------------------------------------------------------------------------------------------------------

    function _typedDataHash(bytes32 structHash) internal view returns (bytes32) {
        return keccak256(abi.encodePacked(hex"1901", DOMAIN_SEPARATOR(), structHash));
    }

    function _hashTokenPermissions(TokenPermissions memory permitted) internal pure returns (bytes32) {
        return keccak256(abi.encode(TOKEN_PERMISSIONS_TYPEHASH, permitted.token, permitted.amount));
    }

    function _hashTokenPermissionsArray(TokenPermissions[] memory permitted) internal pure returns (bytes32) {
        bytes32[] memory hashes = new bytes32[](permitted.length);
        for (uint256 i = 0; i < permitted.length; i++) {
            hashes[i] = _hashTokenPermissions(permitted[i]);
        }
        return keccak256(abi.encodePacked(hashes));
    }

    function _hashPermitTransferFrom(PermitTransferFrom memory signedPermit) internal view returns (bytes32) {
        return keccak256(
            abi.encode(
                PERMIT_TRANSFER_FROM_TYPEHASH,
                _hashTokenPermissions(signedPermit.permitted),
                msg.sender,
                signedPermit.nonce,
                signedPermit.deadline
            )
        );
    }

    function _hashPermitBatchTransferFrom(PermitBatchTransferFrom memory signedPermit) internal view returns (bytes32) {
        return keccak256(
            abi.encode(
                PERMIT_BATCH_TRANSFER_FROM_TYPEHASH,
                _hashTokenPermissionsArray(signedPermit.permitted),
                msg.sender,
                signedPermit.nonce,
                signedPermit.deadline
            )
        );
    }

    function _hashPermitDetails(PermitDetails memory details) internal pure returns (bytes32) {
        return keccak256(
            abi.encode(PERMIT_DETAILS_TYPEHASH, details.token, details.amount, details.expiration, details.nonce)
        );
    }

    /// @notice Reverts unless `signature` is `signer`'s signature of `digest`: ECDSA for an account without code,
    ///         EIP-1271 for a contract.
    function _verify(bytes calldata signature, bytes32 digest, address signer) internal view {
        if (signer.code.length != 0) {
            bytes4 answer = IPermit2ContractSigner(signer).isValidSignature(digest, signature);
            if (answer != IPermit2ContractSigner.isValidSignature.selector) revert InvalidContractSignature();
            return;
        }
        bytes32 r;
        bytes32 s;
        uint8 v;
        if (signature.length == 65) {
            r = bytes32(signature[0:32]);
            s = bytes32(signature[32:64]);
            v = uint8(signature[64]);
        } else if (signature.length == 64) {
            // EIP-2098: the top bit of the second word is the parity of v, the rest is s.
            r = bytes32(signature[0:32]);
            bytes32 vs = bytes32(signature[32:64]);
            s = vs & bytes32(type(uint256).max >> 1);
            v = uint8(uint256(vs) >> 255) + 27;
        } else {
            revert InvalidSignatureLength();
        }
        address recovered = ecrecover(digest, v, r, s);
        if (recovered == address(0)) revert InvalidSignature();
        if (recovered != signer) revert InvalidSigner();
    }

    /// @notice `token.transferFrom(from, to, amount)`, accepting a return of `true` or of nothing.
    function _safeTransferFrom(address token, address from, address to, uint256 amount) internal {
        (bool success, bytes memory answer) =
            token.call(abi.encodeWithSelector(bytes4(0x23b872dd), from, to, amount));
        bool accepted = success && (answer.length == 0 || (answer.length >= 32 && abi.decode(answer, (uint256)) == 1));
        require(accepted, "TRANSFER_FROM_FAILED");
    }
}
