package io.shardwise.internal.query;

import java.util.ArrayList;
import java.util.List;

import org.hibernate.query.criteria.HibernateCriteriaBuilder;
import org.hibernate.query.sqm.tree.expression.SqmExpression;
import org.hibernate.query.sqm.tree.predicate.SqmPredicate;
import org.hibernate.query.sqm.tree.select.SqmQuerySpec;
import org.hibernate.query.sqm.tree.select.SqmSelectStatement;

import jakarta.persistence.criteria.Expression;
import jakarta.persistence.criteria.Predicate;

/**
 * The keyset condition "after these ORDER BY values", added to a shard statement: for keys k1..kn and values v1..vn,
 * {@code after(k1) or (k1 = v1 and after(k2)) or ...}, where "after" follows each key's direction and NULL placement:
 * after a value come the greater (or, descending, smaller) values and, if NULLs sort last, the NULLs; after a NULL
 * come the non-NULL values if NULLs sort first, else nothing. Values are bound parameters.
 */
final class Keysets {
	private Keysets() {
	}

	static void restrict(SqmSelectStatement<Object[]> statement, MergePlan plan, List<Object> values) {
		SqmQuerySpec<Object[]> spec = statement.getQuerySpec();
		HibernateCriteriaBuilder cb = statement.nodeBuilder();
		List<Predicate> alternatives = new ArrayList<>();
		List<Predicate> equalSoFar = new ArrayList<>();
		for ( int i = 0; i < plan.sortKeys.size(); i++ ) {
			MergePlan.SortKey key = plan.sortKeys.get( i );
			SqmExpression<?> e = (SqmExpression<?>) spec.getSelectClause().getSelections().get( key.shardIndex() ).getSelectableNode();
			Object v = values.get( i );
			Predicate after = after( cb, e, v, key );
			if ( after != null ) {
				List<Predicate> conjunction = new ArrayList<>( equalSoFar );
				conjunction.add( after );
				alternatives.add( conjunction.size() == 1 ? after : cb.and( conjunction.toArray( new Predicate[0] ) ) );
			}
			equalSoFar.add( v == null ? cb.isNull( e ) : cb.equal( e, v ) );
		}
		Predicate keyset = alternatives.isEmpty() ? cb.disjunction() : cb.or( alternatives.toArray( new Predicate[0] ) );
		spec.applyPredicate( (SqmPredicate) keyset );
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	private static Predicate after(HibernateCriteriaBuilder cb, SqmExpression<?> e, Object v, MergePlan.SortKey key) {
		if ( v == null ) {
			return key.nullsFirst() ? cb.isNotNull( e ) : null;
		}
		Expression<Comparable> c = (Expression<Comparable>) e;
		Predicate beyond = key.descending() ? cb.lessThan( c, (Comparable) v ) : cb.greaterThan( c, (Comparable) v );
		return key.nullsFirst() ? beyond : cb.or( beyond, cb.isNull( e ) );
	}
}
